"""Attendees of one document: tables with X marks, and labelled lists (Tilstede / Forfall ...)."""
from __future__ import annotations

import re
from collections.abc import Sequence

from .. import vocab
from ..models import Attendee, Line, Status
from . import name_runs
from .recognisers import NOTE, TITLE_WORDS, is_name, join_wrapped, label_value, leading_title, row_text

# A role group inside an attendee list: 'Rådmenn: A, B', 'Fra ViG:', 'NUI: C og D'
GROUP_LABEL = re.compile(r"^(?P<label>[A-ZÆØÅ][\wæøå./-]*(?: [\wæøå./-]+){0,3})\s?:\s*(?P<rest>.*)$")
SENTENCE_END = re.compile(r"(?<=[a-zæøå])\.$")
ORG_NOTE = re.compile(r"^[A-ZÆØÅ][^\d()]*$")
MET_FROM = re.compile(r"^(?:Fra|Frå)\s+(?P<org>[\wæøå./-]+(?:\s+[\wæøå./-]+){0,3}?)"
                      r"\s+(?:møtte|deltok|møtte også)\s*:?\s*"
                      r"(?P<names>[A-ZÆØÅ].*)$")
FROM_GROUP = re.compile(r"^(?:Fra|Frå)\s+(?P<org>\S.*)$")  # 'Fra adm:', 'Frå kommunane:': present, from there

MARK = re.compile(r"\s+[Xx✓✔]$")


def _row_cells(lines: Sequence[Line], i: int) -> tuple[dict[int, list[Line]], int]:
    """Cells of the table row starting at lines[i], and the index after it."""
    row = lines[i].row
    cells: dict[int, list[Line]] = {}
    j = i
    while j < len(lines) and lines[j].row == row:
        cells.setdefault(lines[j].col or 0, []).append(lines[j])
        j += 1
    return cells, j


def _header_columns(cells: dict[int, list[Line]]) -> dict[str, int] | None:
    columns = vocab.load().table_columns
    roles: dict[str, int] = {}
    for k, cell in cells.items():
        role = columns.get(cell[0].text.strip().rstrip(":").casefold())
        if role:
            roles[role] = k
    return roles if "name" in roles and len(roles) >= 2 else None


def split_person(text: str) -> tuple[str, str | None]:
    """'Tone Ikdahl, adm.direktør' -> ('Tone Ikdahl', 'adm.direktør'); commas in brackets stay."""
    name, *rest = split_outside_brackets(text, ",")
    return name.strip(), ",".join(rest).strip() or None


def table_attendees(lines: Sequence[Line]) -> list[Attendee]:
    out: list[Attendee] = []
    i = 0
    while i < len(lines):
        if lines[i].row is None or lines[i].col != 0 and lines[i].col is not None:
            i += 1
            continue
        cells, j = _row_cells(lines, i)
        roles = _header_columns(cells)
        if roles is None:
            i = j
            continue
        unmarked = Status.PRESENT if _attendance_heading(lines[max(0, i - 2):i]) else Status.UNKNOWN
        i = _table_rows(lines, j, roles, out, unmarked)
    return out


def _attendance_heading(before: Sequence[Line]) -> bool:
    """The lines above a table name it a list of who attended ('Deltakere i SSU, møte den …')."""
    return any(vocab.load().present_word.match(ln.text) for ln in before)


def _table_rows(lines: Sequence[Line], i: int, roles: dict[str, int], out: list[Attendee],
                unmarked: str = Status.UNKNOWN) -> int:
    """Rows under an attendee table's header; without a mark column each row gets `unmarked`."""
    deputy_mark = vocab.load().deputy_mark
    carry: list[str] = []
    while i < len(lines):
        if lines[i].row is None:
            if i + 1 < len(lines) and lines[i + 1].row is not None and len(lines[i].text.split()) <= 8:
                carry.append(lines[i].text)  # an organisation wrapped onto its own line
                i += 1
                continue
            return i
        cells, j = _row_cells(lines, i)
        name_cell = cells.get(roles["name"], [])
        if not name_cell and "org" in roles and roles["name"] != 0 and len(cells) == 1 and out:
            out[-1].organization = join_wrapped([out[-1].organization or "", *(c.text for c in cells[0])])
            i = j
            continue
        text = join_wrapped([c.text for c in name_cell])
        mark_cell = " ".join(c.text for c in cells.get(roles.get("mark", -1), []))
        marked = bool(re.search(r"[Xx✓✔]", mark_cell)) or bool(MARK.search(text)) or bool(deputy_mark.search(mark_cell))
        text = MARK.sub("", text)
        name, title = split_person(text)
        if not _person_cell(name):
            return i
        org_parts = carry + [c.text for c in cells.get(roles.get("org", -1), [])]
        org = join_wrapped(org_parts) or None
        deputy = join_wrapped([c.text for c in cells.get(roles.get("deputy", -1), [])])
        deputy_came = bool(deputy) and bool(deputy_mark.search(mark_cell))
        status = Status.PRESENT if marked and not deputy_came else Status.ABSENT
        out.append(Attendee(name, org, title, status if "mark" in roles else unmarked,
                            provenance={"page": name_cell[0].page}))
        if deputy_came and _person_cell(deputy):  # the deputy column names who stands in; listed if they came
            out.append(Attendee(deputy, org, None, Status.PRESENT, deputy_for=name,
                                provenance={"page": name_cell[0].page}))
        carry = []
        i = j
    return i


def flat_table_attendees(lines: Sequence[Line]) -> list[Attendee]:
    """An attendee table that lost its columns: a header line of column words ('Instans Representant
    Tilstede'), then one row per line ('Horten kommune Ingrid Solberg X'). The name is the run of
    name words at the name column's side; a mark column's X means present, no X absent."""
    out: list[Attendee] = []
    for i, line in enumerate(lines):
        order = _flat_header(line.text) if line.row is None else None
        if not order:
            continue
        for row in lines[i + 1:]:
            found = _flat_row(row.text, order)
            if found is None:
                break
            name, org, present = found
            out.append(Attendee(name, org, None, Status.PRESENT if present else Status.ABSENT,
                                provenance={"page": row.page}))
    return out


def _flat_header(text: str) -> list[str] | None:
    """Column roles in order when every word of the line is a column header word."""
    words = {w: role for w, role in vocab.load().table_columns.items() if role != "deputy"}
    order, rest = [], text.strip()
    while rest:
        hit = max((w for w in words if rest.casefold().startswith(w) and
                   (len(rest) == len(w) or rest[len(w)] in " \t")), key=len, default=None)
        if hit is None:
            return None
        order.append(words[hit])
        rest = rest[len(hit):].strip()
    return order if "name" in order and len(set(order)) == len(order) >= 2 else None


def _flat_row(text: str, order: list[str]) -> tuple[str, str | None, bool] | None:
    text = text.strip()
    present = bool(MARK.search(text)) if "mark" in order else True
    text = MARK.sub("", text).strip()
    words = text.split()
    if "org" not in order:
        return (text, None, present) if is_name(text) else None
    name_first = order.index("name") < order.index("org")
    dangling = vocab.load().dangling_words
    for n in (3, 2):  # the longest run of name words at the name column's side
        if len(words) <= n:
            continue
        name = words[:n] if name_first else words[-n:]
        org = words[n:] if name_first else words[:-n]
        if is_name(" ".join(name)) and (name_first or org[-1].casefold() not in dangling):
            return " ".join(name), " ".join(org), present
    return None


def _person_cell(text: str) -> bool:
    """A table's name cell: capitalised, two to six words, no digits (typos in names are kept)."""
    words = text.split()
    return 2 <= len(words) <= 6 and text[:1].isupper() and not re.search(r"\d", text)


def list_attendees(lines: Sequence[Line], stop: int) -> list[Attendee]:
    """Attendees under Tilstede / Forfall labels (and role groups), as lines or as table cells.
    Two labels with nothing between them ('Tilstede' / 'Frafall' over one list) leave the status
    unknown, unless the table geometry shows which label each name stands beside."""
    v = vocab.load()
    out: list[Attendee] = []
    status: str | None = None
    group: str | None = None
    since_label = 0
    labels: list[tuple[float | None, str]] = []
    label_row: int | None = None
    org: str | None = None  # the place a role group says its people come from ('Fra ViG:')
    for i in range(min(stop, len(lines))):
        line = lines[i]
        text = line.text.strip()
        header = v.flat_table_header.match(text) if line.row is None else None
        if header and len(text) > header.end():  # 'Navn Tilstede Forfall Styreleder Jens Berg X …'
            status, group, org, since_label = Status.PRESENT, None, None, 0
            labels.append((line.top, status))
            found = _people(text[header.end():].strip(), status, group, line, labels)
            out.extend(found)
            since_label += len(found)
            continue
        label = v.attendee_label.match(text)
        if label and line.col in (None, 0):
            new = Status.ABSENT if v.absent_label.match(text) else Status.PRESENT
            merged = status is not None and since_label == 0 and new != status
            labels.append((line.top, new))
            group = label.group("label") if label.group("label") in v.role_groups else None
            status = Status.UNKNOWN if merged or status == Status.UNKNOWN and since_label == 0 else new
            org = None
            if line.row is not None and _status_by_position(lines, i, line):
                status = "by-position"
            since_label = 0
            label_row = line.row
            if label.group("value"):
                found = _people(label.group("value"), status, group, line, labels)
                out.extend(found)
                since_label += len(found)
            continue
        if status is None or (line.col == 0 and line.row is not None and status == "by-position"):
            continue
        if line.row is not None and line.row != label_row and status != "by-position":
            if line.col != 0:
                continue
            text = row_text(lines, i)  # 'Marit B. Lågøyr,  KA': a list line with a wide gap
            if _ends_list(text, v):
                status = None
                continue
        elif (line.col == 0 and line.row != label_row) or _ends_list(text, v):
            status = None
            continue
        met = MET_FROM.match(text)
        if met and status is not None:  # 'Fra Kontrollkomiteen møtte A, B og C.'
            status, group, org, text = Status.PRESENT, None, met.group("org"), met.group("names")
        sub = GROUP_LABEL.match(text)
        if sub and not is_name(sub.group("label")) and not re.search(r"\d", sub.group("label")):
            group = sub.group("label")
            text = sub.group("rest")
            origin = FROM_GROUP.match(group)
            if origin:
                status, group = Status.PRESENT, None
                org = origin.group("org")
            if not text:
                continue
        found = _people(text, status, group, line, labels)
        for a in found:
            a.organization = a.organization or org
        out.extend(found)
        since_label += len(found)
    return out


def _status_by_position(lines: Sequence[Line], i: int, line: Line) -> bool:
    """Two status labels stacked in one table cell: each name takes the label level with or above it."""
    v = vocab.load()
    return any(o.row == line.row and o.col == 0 and o is not line and v.attendee_label.match(o.text)
               for o in lines[max(0, i - 6):i + 6])


def _ends_list(text: str, v: vocab.Vocab) -> bool:
    return bool(label_value(text)) or v.case_list_headers.matches(text) or v.headings.patterns.matches(text)


def _people(text: str, status: str | None, group: str | None, line: Line,
            labels: list[tuple[float | None, str]]) -> list[Attendee]:
    v = vocab.load()
    if status == "by-position":
        above = [s for top, s in labels if top is not None and line.top is not None and top <= line.top + 2]
        status = above[-1] if above else Status.UNKNOWN
    text = SENTENCE_END.sub("", BULLET_LEAD.sub("", text).strip())
    parts = [p.strip() for p in split_outside_brackets(text, r",|;|\s+og\s+|(?<=\))\s+(?=[A-ZÆØÅ])") if p.strip()]
    groups = [p for p in parts if p.split()[-1].casefold() in v.not_persons]
    if groups:  # 'Faste medlemmer', 'SSU faste medlemmer': a group's name, not a person
        parts = [p for p in parts if p not in groups]
        text = ", ".join(parts)
    if not parts:
        return []
    paired = _name_org_pairs(parts, v)
    if paired:
        people: list[tuple[str, str | None]] = paired
    elif len(parts) > 1 and all(is_name(NOTE.sub("", p).strip()) for p in parts):
        people = [(p, None) for p in parts]
    elif len(parts) >= 3 and all(is_name(NOTE.sub("", p).strip(), min_words=1) for p in parts):
        people = [(p, None) for p in parts]  # first names only: 'Raine, Fride, Nina, Simon'
    else:
        name, rest = split_person(text)
        name, title = leading_title(name)
        if not is_name(NOTE.sub("", name).strip()):
            return [Attendee(f.name, f.org, f.title or group, f.status or status or Status.UNKNOWN,
                             provenance={"page": line.page}) for f in name_runs.read(text)]
        people = [(name, ", ".join(x for x in (title, rest) if x) or None)]
    out = []
    for name, rest in people:
        notes = NOTE.findall(name) + (NOTE.findall(rest) if rest else [])
        name = NOTE.sub("", name).strip()
        rest = NOTE.sub("", rest).strip(" ,") if rest else None
        titles = [p.strip() for p in (rest or "").split(",") if p.strip() and TITLE_WORDS.search(p)]
        orgs = [p.strip() for p in (rest or "").split(",") if p.strip() and not TITLE_WORDS.search(p)]
        a = Attendee(name, ", ".join(orgs) or None, ", ".join(titles) or group, status or Status.UNKNOWN,
                     provenance={"page": line.page})
        _apply_notes(a, notes, v)
        out.append(a)
    return out


BULLET_LEAD = re.compile(r"^\s*(?:[•▪◦‣–-]|\d{1,2}[.)])\s+")


def _name_org_pairs(parts: list[str], v: vocab.Vocab) -> list[tuple[str, str | None]] | None:
    """'Per Ivar Moen, Bydel Alna, Kari Holm, Bydel Grorud, leder': a list of people each followed by
    their organisation or title: (name, 'organisation, title') per person. None where the list is not
    of that shape (a part that is neither a name nor follows one as an organisation or title)."""
    out: list[tuple[str, str | None]] = []
    described = False
    for part in parts:
        bare = NOTE.sub("", part).strip()
        if _organisation_like(bare, v) or (out and TITLE_WORDS.search(bare) and len(bare.split()) <= ORG_WORDS):
            if not out:
                return None
            name, rest = out[-1]
            out[-1] = (name, f"{rest}, {part}" if rest else part)
            described = True
        elif is_name(bare):
            out.append((part, None))
        else:
            return None
    return out if described and len(out) > 1 else None


ORG_WORDS = 6  # an organisation or title in a list is at most this many words


def _organisation_like(text: str, v: vocab.Vocab) -> bool:
    """'Bydel Alna', 'Horten kommune', 'Sykehuset i Vestfold HF', 'Fagforbundet': a part of a list that
    names an organisation (vocab.toml [names] organisation_words), not a person."""
    return 0 < len(text.split()) <= ORG_WORDS and bool(v.organisation_word.search(text))


def split_outside_brackets(text: str, sep: str) -> list[str]:
    """re.split on `sep`, except inside brackets: 'A (for B, Org), C' -> ['A (for B, Org)', ' C']."""
    masked = re.sub(r"\([^()]*\)", lambda m: "(" + "\0" * (len(m.group(0)) - 2) + ")", text)
    out, last = [], 0
    for m in re.finditer(sep, masked):
        out.append(text[last:m.start()])
        last = m.end()
    return out + [text[last:]]


def _apply_notes(a: Attendee, notes: list[str], v: vocab.Vocab) -> None:
    """Bracketed notes: kept as written in `note`; deputies and partial attendance as fields."""
    if not notes:
        return
    a.note = "; ".join(n.strip() for n in notes)
    for note in notes:
        role = v.title_notes.get(note.strip(" .").casefold())
        if role and not a.title:  # 'Per Halse (leiar)', 'Kari Holm (ref.)'
            a.title = role
            continue
        if not a.organization and not v.attendee_notes.found_in(note) and ORG_NOTE.match(note.strip()):
            a.organization = note.strip()  # 'Jacob Almlid (Verran kommune)': the organisation in brackets
        for pattern in v.attendee_notes:
            m = pattern.search(note.strip())
            if not m:
                continue
            found = {k: val for k, val in m.groupdict().items() if val}
            a.deputy_for = found.get("deputy", a.deputy_for)
            a.from_case = found.get("from_case", a.from_case)
            a.to_case = found.get("to_case", a.to_case)
            if found.get("org") and not a.organization:
                a.organization = found["org"].strip()
    if a.status == Status.UNKNOWN and (a.deputy_for or a.from_case or a.to_case):
        a.status = Status.PRESENT  # attended for someone, or for part of the meeting


NAME_CUT_SHORT = re.compile(r",\s*(?:[A-ZÆØÅ][a-zæøå]+\s+){0,2}[A-ZÆØÅ][a-zæøå]+$")  # '… Tore Haukvik, Geir'
NAME_ENDED = re.compile(r"^[A-ZÆØÅ][a-zæøå]+,")  # 'Dunseth, Maria …'


def join_broken_names(lines: Sequence[Line]) -> list[Line]:
    """'… Tore Haukvik, Geir' + 'Dunseth, Maria …', '… Sofie Wiik' + 'Westberg, Anne …': a list line
    ending in a name cut short joins the next."""
    out: list[Line] = []
    for line in lines:
        if out and out[-1].row == line.row and out[-1].col == line.col and NAME_ENDED.match(line.text) \
                and NAME_CUT_SHORT.search(out[-1].text):
            prev = out.pop()
            line = Line(f"{prev.text} {line.text}", prev.page, prev.bold, prev.row, prev.col, prev.top)
        out.append(line)
    return out


def confirm_present(attendees: list[Attendee], texts: Sequence[str]) -> list[str]:
    """An attendee of unknown status whose name the minutes record acting in the meeting is present."""
    body = " ".join(texts)
    notes = []
    for a in attendees:
        if a.status == Status.UNKNOWN and re.search(rf"\b{re.escape(a.name)}\b", body):
            a.status = Status.PRESENT
            notes.append(f"{a.name}: status unclear in the list; present because the minutes name them in a case")
    return notes


def run(lines: Sequence[Line], header_end: int) -> list[Attendee]:
    lines = join_broken_names(lines)
    found = table_attendees(lines) + list_attendees(lines, header_end) + flat_table_attendees(lines[:header_end])
    seen: set[str] = set()
    out = []
    for a in found + _replaced(found):
        if a.name.casefold() not in seen:
            seen.add(a.name.casefold())
            out.append(a)
    return out


def _replaced(found: list[Attendee]) -> list[Attendee]:
    """The members that deputies attended for ('Marit Myrhaug (for Jon Arve Hollekim, Inderøy kommune)'):
    listed as absent, with the organisation the note gives."""
    return [Attendee(a.deputy_for, a.organization, None, Status.ABSENT, provenance=dict(a.provenance))
            for a in found if a.deputy_for and a.status == Status.PRESENT and is_name(a.deputy_for)]

