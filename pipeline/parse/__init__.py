"""Parsing: pages of lines -> logical documents (segment) -> each document's header, attendees,
cases and attachments (document, header, attendees, cases, attachments), over the shared line
recognisers (recognisers)."""
