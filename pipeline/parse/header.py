"""Meeting header of one document: body, date, times, location, chair, minute taker, organisation."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .. import vocab
from ..models import Attendee, Line
from ..values import body_abbrev, parse_date, parse_times
from .recognisers import first_part, is_name, label_value, person, row_text

# Fields also taken from a header block printed after the case list has begun (a page-1 block that
# text extraction placed after the first cases).
LATE_FIELDS = {"body", "chair", "minute_taker", "location", "datetime", "datetime_place"}


@dataclass
class Header:
    fields: dict[str, str] = field(default_factory=dict)  # first value per header field
    heading: str | None = None


def lines_to_header(lines: Sequence[Line], zone_end: int) -> Header:
    v = vocab.load()
    header = Header()
    order = list(range(min(zone_end, len(lines)))) + list(range(zone_end, len(lines)))
    for i in order:
        line = lines[i]
        if line.col not in (None, 0):
            continue
        hit = label_value(row_text(lines, i), v)
        if hit and not hit[1] and line.row is None and i + 1 < len(lines) and lines[i + 1].row is None \
                and not label_value(lines[i + 1].text, v) and not v.attendee_label.match(lines[i + 1].text):
            hit = (hit[0], lines[i + 1].text.strip())  # 'Møtedato:' with its value on the next line
        if hit and hit[1] and (i < zone_end or hit[0] in LATE_FIELDS):
            header.fields.setdefault(hit[0], hit[1])
        if header.heading is None and line.col is None and v.headings.patterns.matches(line.text):
            header.heading = line.text
    return header


def meeting_date(header: Header, doc_type: str) -> str | None:
    v = vocab.load()
    for key in ("datetime", "datetime_place", "date"):
        value = header.fields.get(key)
        if value and (key != "date" or doc_type in v.dated_types):
            found = parse_date(value)
            if found:
                return found
    return parse_date(header.heading) if header.heading else None


def headline_date(lines: Sequence[Line], doc_type: str, times: tuple[str | None, str | None]
                  ) -> tuple[str | None, tuple[str | None, str | None]]:
    """A date the header block does not label: the first full date on an opening line that names
    the meeting ('Referat fra styremøte i VLF onsdag 23. mai 2023 kl 1800-1915'), with the times
    written there; in minutes, else a date standing alone on the last line (the signature's date)."""
    v = vocab.load()
    for line in lines[:v.headline_lines]:
        if v.headline.search(line.text):
            found = parse_date(line.text)
            if found:
                return found, times if times[0] else parse_times(line.text)
    if doc_type in ("referat", "protokoll") and lines:
        last = lines[-1].text.strip()
        if len(last.split()) <= 3:
            found = parse_date(last)
            if found:
                return found, times
    return None, times


# a name and a title closing a line or followed by the next name ('Olav Førde Styreleder', 'Arne Schei
# sekretær'), not a verb in a sentence ('Gro Aasland leder den innledende fase')
SIGNED = re.compile(r"(?P<name>(?:[A-ZÆØÅ][\wæøå.-]*\s+){1,4})(?P<title>[A-ZÆØÅa-zæøå]+)\b"
                    r"(?=\s*$|\s+sign\b|\s+[A-ZÆØÅ0-9])")


def role_holder(attendees: Sequence[Attendee], lines: Sequence[Line], titles: frozenset[str]) -> str | None:
    """The person a document names in a role without a header label: the attendee whose title is
    the role ('Marit Holm, KA, leder'), else a signature ('Olav Helge Førde Styreleder', 'Arne
    Schei sekretær') among the document's lines."""
    for a in attendees:
        if a.title and a.title.casefold().strip(" ,.") in titles and a.status != "absent":
            return a.name
    for line in lines:
        for m in SIGNED.finditer(line.text):
            if m.group("title").casefold() not in titles:
                continue
            words = m.group("name").split()
            for k in range(len(words) - 1):  # the longest run of name words before the title
                if is_name(" ".join(words[k:])):
                    return " ".join(words[k:])
    return None


def times(header: Header) -> tuple[str | None, str | None]:
    for key in ("datetime", "datetime_place"):
        if header.fields.get(key):
            start, end = parse_times(header.fields[key])
            if start:
                return start, end
    return None, None


def location(header: Header) -> str | None:
    if header.fields.get("location"):
        return header.fields["location"].strip(" ,.")
    value = header.fields.get("datetime_place")
    if not value:
        return None
    parts = [p.strip() for p in re.split(r",\s*|\.\s+", value)]
    keep = [p for p in parts if p and not re.search(r"\d{1,2}[.:/]\d{2}|\bkl\b", p)]
    return ", ".join(keep).strip(" ,.") or None


INITIALS = re.compile(r"^[A-ZÆØÅ][a-zæøå]+(?:\s+[A-ZÆØÅ][a-zæøå]+)?\s+[A-ZÆØÅ]{2,4}$")  # 'Ellen HF'


def minute_taker(value: str | None) -> str | None:
    """A person, a first name with initials ('Ellen HF, 13.08.23'), or a unit named in vocab.toml
    ('Sekretariatet'): a referent need not be a person."""
    first = first_part(value)
    units = vocab.load().minute_taker_units
    if first and (any(first.casefold() == u.casefold() for u in units) or INITIALS.match(first)):
        return first
    return person(value)


def body(header: Header, texts: Sequence[str]) -> tuple[str | None, str | None]:
    for text in [header.fields.get("body", ""), header.heading or "", header.fields.get("topic", ""), *texts]:
        if text:
            name, abbrev = body_abbrev(text)
            if name:
                return name, abbrev
    return None, None


@lru_cache(maxsize=4)
def file_organisation(file_texts: tuple[str, ...]) -> str | None:
    """organisation() of a file's opening lines, asked once per document in the file."""
    return organisation(file_texts)


def organisation(texts: Sequence[str]) -> str | None:
    v = vocab.load()
    texts = [t for t in texts if v.organisations.found_in(t)]  # most name no organisation
    for pattern in v.organisations:
        for text in texts:
            m = pattern.search(text)
            if m:
                return str(m.group(0))
    return None
