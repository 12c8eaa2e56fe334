"""Stage 4: a logical document (Segment) -> Document with header, attendees and cases."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .. import vocab
from ..models import Attendee, Case, DocType, Document, Line, Segment
from ..values import date_without_year
from . import attendees as parse_attendees
from . import cases as parse_cases
from . import header as parse_header
from .recognisers import case_start, numbered_start, person, unspaced

MINUTES = {DocType.REFERAT, DocType.PROTOKOLL}
AGENDAS = {DocType.INNKALLING, DocType.REFERAT, DocType.PROTOKOLL}


def doc_type_of(seg: Segment) -> str:
    if seg.doc_type:
        return seg.doc_type
    v = vocab.load()
    texts = [f for f in seg.furniture] + [ln.text for ln in seg.lines[:60]]
    for pattern, doc_type in v.cues:
        if any(pattern.search(t) for t in texts):
            return doc_type
    opening = [ln.text for ln in seg.lines[:v.title_lines] if not case_start(ln.text)]
    for text in opening:
        hit = v.title_words.first(unspaced(text), search=True)
        if hit:
            return hit[0]
    return DocType.OTHER


def _names_a_meeting(lines: Sequence[Line]) -> bool:
    """The first line names a meeting ('Styremøte VLF og TLF 27.05.19'): minutes, when no word
    says which kind of document it is."""
    return bool(lines) and bool(re.search(r"møte\b", lines[0].text, re.I)) and len(lines[0].text.split()) <= 12


def header_end(lines: Sequence[Line], begin: int) -> int:
    """Where the header ends: before the case list (`begin`: the line after its header, 0 without one)."""
    if begin:
        return begin - 1
    for i, line in enumerate(lines):
        if line.col in (None, 0) and numbered_start(line.text):
            return i
    return min(len(lines), 40)


@dataclass(frozen=True)
class People:
    """What people() reads of a document before its cases, kept for run(): where its header ends,
    the header, its attendees, and the names of its attendees, chair and minute taker."""

    zone: int
    header: parse_header.Header
    attendees: list[Attendee]
    names: set[str]


def people(seg: Segment) -> People:
    """The names of a document's attendees, chair and minute taker (the names its case columns may
    wrap), and its attendees."""
    zone = header_end(seg.lines, seg.case_list_start)
    header = parse_header.lines_to_header(seg.lines, zone)
    roles = (person(header.fields.get(k)) for k in ("chair", "minute_taker"))
    attendees = parse_attendees.run(seg.lines, zone)
    return People(zone, header, attendees, {a.name for a in attendees} | {r for r in roles if r})


def furniture_case(seg: Segment) -> tuple[Case | None, str | None]:
    """A document identified only by its running header: 'Oslo universitetssykehus HF styresak 19/2021'."""
    v = vocab.load()
    for text in seg.furniture:
        m = v.furniture_identity.search(text)
        if m:
            org = (m.group("org") or "").strip() or None
            return Case(m.group("num"), None, provenance={"page": seg.page_start}), org
    return None, None


def run(seg: Segment, file_texts: tuple[str, ...], file_names: frozenset[str] = frozenset(),
        found: People | None = None) -> tuple[Document, list[str]]:
    """`found`: people() of the segment, when it has been read already."""
    lines = seg.lines
    doc_type = doc_type_of(seg)
    zone = header_end(lines, seg.case_list_start) if found is None else found.zone
    single = doc_type in vocab.load().single_case_types
    header_zone = max(zone, 8) if single else zone
    header = found.header if found is not None and found.zone == header_zone \
        else parse_header.lines_to_header(lines, header_zone)
    attendees = parse_attendees.run(lines, zone) if found is None else found.attendees
    inferred = doc_type == DocType.OTHER and bool(attendees or _names_a_meeting(lines))
    if inferred:
        doc_type = vocab.load().minutes_default
    chair = person(header.fields.get("chair")) or parse_header.surname_of(header.fields.get("chair"), attendees)
    known = {a.name for a in attendees} | ({chair} if chair else set()) | set(file_names)
    cases, warnings = parse_cases.run(lines, known, plain_allowed=doc_type in AGENDAS,
                                      decisions_unlabelled=doc_type in MINUTES, begin=seg.case_list_start, zone=zone)
    if inferred:
        warnings.append(f"p.{seg.page_start}: no word names the document's type; read as {doc_type} "
                        "(it names a meeting or lists who attended)")

    org_hint = None
    if not cases:
        extra, org_hint = furniture_case(seg)
        if extra:
            cases = [extra]
            warnings.append(f"{doc_type} p.{seg.page_start}: case number {extra.number} taken from the running header")
    author = person(header.fields.get("author") or header.fields.get("case_officer"))
    if author and len(cases) == 1 and not cases[0].responsible and single:
        cases[0].responsible = [author]
    case_texts = [ln.text for ln in lines[zone:]]
    warnings += parse_attendees.confirm_present(attendees, case_texts)
    zone_texts = [ln.text for ln in lines[:max(zone, 1)]]
    name, abbrev = parse_header.body(header, zone_texts)
    if name is None:
        name, abbrev = parse_header.body(header, [ln.text for ln in lines])
    start, end = parse_header.times(header)
    end = end or parse_header.closing_time(lines)
    date = parse_header.meeting_date(header, doc_type)
    if date is None or start is None:
        headline, (start, end) = parse_header.headline_date(lines, doc_type, (start, end))
        date = date or headline
    doc = Document(
        doc_type=doc_type,
        organization=parse_header.organisation(zone_texts) or org_hint or parse_header.organisation(
            [ln.text for ln in lines] + list(seg.furniture)) or parse_header.file_organisation(file_texts),
        body=name, body_abbrev=abbrev,
        meeting_date=date,
        start_time=start, end_time=end,
        location=parse_header.location(header),
        chair=chair or parse_header.role_holder(attendees, lines, vocab.load().chair_titles)
        or parse_header.told_role(lines, vocab.load().told_chair),
        minute_taker=parse_header.minute_taker(header.fields.get("minute_taker"))
        or parse_header.surname_of(header.fields.get("minute_taker"), attendees)
        or parse_header.role_holder(attendees, lines, vocab.load().minute_taker_titles)
        or parse_header.told_role(lines, vocab.load().told_minute_taker),
        provenance={"page_start": seg.page_start, "page_end": seg.page_end},
        attendees=attendees, cases=cases,
    )
    warnings += damage_warnings(lines, seg.page_start, dated=date is not None) + quality_warnings(doc)
    return doc, warnings


LOST_NUMBER = re.compile(r"(?:^|\s)(?:[Ss]ak\s+)?/\d{2,4}\s+[A-ZÆØÅ]")


def damage_warnings(lines: Sequence[Line], page: int, dated: bool) -> list[str]:
    """What a damaged copy lost, said once per document: case numbers without their digits ('/15
    Tertialrapport'), a meeting date written without a year ('Fredag 7. november')."""
    out = []
    lost = [ln.text for ln in lines if "/" in ln.text and LOST_NUMBER.search(ln.text)]  # it needs a '/'
    if lost:
        out.append(f"p.{page}: {len(lost)} line(s) hold a case number whose digits are lost, e.g. "
                   f"'{lost[0][:60]}'; those cases are not read")
    opening = [ln.text for ln in lines[:vocab.load().headline_lines]]
    partial = next((found for t in opening if (found := date_without_year(t))), None)
    if partial and not dated:
        out.append(f"p.{page}: a date is written without a year ('{partial}'); the meeting date is left empty")
    return out


def quality_warnings(doc: Document) -> list[str]:
    where = f"{doc.doc_type} {doc.meeting_date or 'undated'} {doc.body_abbrev or doc.body or ''}".strip()
    out = []
    if doc.doc_type in MINUTES and not doc.attendees:
        out.append(f"{where} has 0 attendees")
    if doc.doc_type in AGENDAS and not doc.cases:
        out.append(f"{where} has 0 cases")
    if doc.doc_type in AGENDAS and doc.meeting_date is None:
        out.append(f"{where}: no meeting date found")
    unknown = [a.name for a in doc.attendees if a.status == "unknown"]
    if unknown:
        out.append(f"{where}: attendance status not stated for {', '.join(unknown)}")
    for c in doc.cases:
        if c.title is None and c.number:
            out.append(f"{where}: case {c.number} has no title")
    numbers = [c.number for c in doc.cases if c.number]
    dupes = {n for n in numbers if numbers.count(n) > 1}
    if dupes:
        out.append(f"{where}: case numbers repeated: {', '.join(sorted(dupes))}")
    return [re.sub(r"\s+", " ", w) for w in out]
