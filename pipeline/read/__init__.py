"""Reading: a file under raw/ -> a SourceFile (ingest) -> pages of lines (lines). PDFs are read as
PDFium text runs and ruling lines (pdftext, with the C reader _pdfpage.c) and laid out as lines
and table cells (layout); clean is the clean-up every text read gets."""
