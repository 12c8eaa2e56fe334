"""Records shared by every stage, declared once.

Norwegian terms used throughout:

- *innkalling*: notice of a meeting with its case list (saksliste / dagsorden).
- *referat* / *protokoll* / *møtebok*: minutes of a meeting: who attended, what was decided.
- *saksfremlegg* / *styresak* / *notat*: the paper behind one case.
- *saksnummer*: case number, written in many styles ("3/25", "2024.13", "Sak 98/2024").
- *vedtak* / *konklusjon*: decision; *forslag til vedtak* / *innstilling*: proposed decision.
- *forfall* / *frafall*: apologies (absent); *vara*: deputy; *referent*: minute taker.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from enum import StrEnum
from typing import Any


def plain(value: Any) -> Any:
    """Records as dicts, lists and dicts copied: what dataclasses.asdict gives, without its deep
    copy of every string (several times faster on a file's extraction). What each type of value is
    (a record's field names, a container, or a value kept as it is) is worked out once per type."""
    kind = _KINDS.get(type(value))
    if kind is None:
        kind = _KINDS[type(value)] = _kind_of(value)
    if kind is _KEPT:
        return value
    if kind is _LIST:
        return [plain(v) for v in value]
    if kind is _TUPLE:
        return tuple(plain(v) for v in value)
    if kind is _DICT:
        return {k: plain(v) for k, v in value.items()}
    return {n: plain(getattr(value, n)) for n in kind}


_KEPT, _LIST, _TUPLE, _DICT = ("kept",), ("list",), ("tuple",), ("dict",)  # told apart by identity
_KINDS: dict[type, tuple[str, ...]] = {}


def _kind_of(value: Any) -> tuple[str, ...]:
    """A record's field names (a dataclass instance; the class itself is kept), else a container's
    kind, else _KEPT."""
    if is_dataclass(value) and not isinstance(value, type):
        return tuple(f.name for f in fields(value))
    if isinstance(value, list):
        return _LIST
    if isinstance(value, tuple):
        return _TUPLE
    if isinstance(value, dict):
        return _DICT
    return _KEPT


class DocType(StrEnum):
    INNKALLING = "innkalling"
    REFERAT = "referat"
    PROTOKOLL = "protokoll"
    STYRESAK = "styresak"
    SAKSFREMLEGG = "saksfremlegg"
    NOTAT = "notat"
    INNSPILL = "innspill"
    OTHER = "other"


class Status(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class DecisionLabel(StrEnum):
    VEDTAK = "Vedtak"
    KONKLUSJON = "Konklusjon"
    FORSLAG_TIL_VEDTAK = "Forslag til vedtak"
    FORSLAG_TIL_KONKLUSJON = "Forslag til konklusjon"
    INNSTILLING = "Innstilling"


@dataclass(frozen=True)
class SourceFile:
    """One input file under raw/<partnership>/ as the ingest stage sees it."""

    path: str
    sha256: str
    format: str  # pdf | txt | md
    partnership: str
    size: int
    pages: int = 0
    ocr_pages: int = 0  # pages read by OCR


@dataclass(frozen=True)
class Line:
    """One line of text on a page, in reading order.

    Lines from a table carry the table row (`row`, unique in the file) and the column (`col`);
    a row's cells are emitted column by column. `bold` exists only where the PDF says so; `top` is
    points from the page top in a PDF and the source line number in a text file."""

    text: str
    page: int
    bold: bool = False
    row: int | None = None
    col: int | None = None
    top: float | None = None


@dataclass(frozen=True)
class Page:
    number: int
    lines: tuple[Line, ...]
    furniture: tuple[str, ...] = ()  # running headers, footers and page numbers removed from `lines`
    ocr_confidence: float | None = None  # read by OCR (no usable text layer): Tesseract's mean word confidence
    notes: tuple[str, ...] = ()  # what reading the page found worth a warning


@dataclass
class Segment:
    """One logical document of a file (a notice, minutes, a case paper): its lines, the running
    headers and footers of its file, and where its case list begins."""

    doc_type: str | None
    lines: list[Line]
    furniture: list[str]
    case_list_start: int  # index of the line after the case-list header (0 without one)
    page_cut: bool = False  # opened by its page (a bundle's next document), never merged into the one before

    @property
    def page_start(self) -> int:
        return self.lines[0].page if self.lines else 0

    @property
    def page_end(self) -> int:
        return self.lines[-1].page if self.lines else 0


@dataclass
class Attendee:
    name: str
    organization: str | None = None
    title: str | None = None
    status: str = Status.UNKNOWN
    note: str | None = None  # what the list says in brackets: "per telefon", "for Per Moen, Re kommune"
    deputy_for: str | None = None  # a deputy (vara) attending for this member
    from_case: str | None = None  # partial attendance: present from this case ("frå sak 51/14")
    to_case: str | None = None  # … until this case ("forlot møtet etter sak 34/09")
    provenance: dict[str, int] = field(default_factory=dict)


@dataclass
class Case:
    number: str | None
    title: str | None
    case_type: str | None = None
    decision_label: str | None = None
    decision: str | None = None
    responsible: list[str] = field(default_factory=list)
    provenance: dict[str, int] = field(default_factory=dict)
    text: str | None = None  # the case's own text between its title and the next case (for search)
    attachments: list[str] = field(default_factory=list)  # vedlegg named in the case
    attachment_count: int | None = None  # how many vedlegg the case says it has (≥ len(attachments))
    vote: dict[str, Any] | None = None  # {"text", "for", "against", "unanimous"}: how the decision was voted on
    decision_provenance: dict[str, int] | None = None  # {"page": n}: where the decision is, when not on the case's page


@dataclass
class Document:
    doc_type: str
    organization: str | None = None
    body: str | None = None
    body_abbrev: str | None = None
    meeting_date: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    location: str | None = None
    chair: str | None = None
    minute_taker: str | None = None
    provenance: dict[str, int] = field(default_factory=dict)
    attendees: list[Attendee] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


@dataclass
class Extraction:
    """What `minutes extract FILE --json` prints (CONTRACT.md section 2)."""

    source: SourceFile
    documents: list[Document]
    warnings: list[str] = field(default_factory=list)
    schema_version: int = 1

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = plain(self)
        out["source"] = {k: out["source"][k] for k in ("path", "sha256", "format", "pages", "partnership")}
        if self.source.ocr_pages:  # an extra field, on scanned files only
            out["source"]["ocr_pages"] = self.source.ocr_pages
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: SourceFile) -> Extraction:
        """The extraction `to_dict` gave `data`, with `source` (the record holds part of it)."""
        documents = [Document(**{**d, "attendees": [Attendee(**a) for a in d["attendees"]],
                                 "cases": [Case(**c) for c in d["cases"]]}) for d in data["documents"]]
        return cls(source, documents, list(data["warnings"]), data["schema_version"])


EXAMPLE_MEETING = Document(
    doc_type=DocType.REFERAT,
    organization="Helsefellesskap Oslo",
    body="Strategisk samarbeidsutvalg",
    body_abbrev="SSU",
    meeting_date="2025-03-07",
    start_time="08:30",
    end_time="10:30",
    location="Rådhuset, Rådhusplassen 1, 0037 Oslo, møterom 6",
    chair="Tone Ikdahl",
    provenance={"page_start": 1, "page_end": 5},
    attendees=[Attendee("Tone Ikdahl", "Lovisenberg diakonale sykehus", "adm.direktør",
                        Status.PRESENT, provenance={"page": 1})],
    cases=[Case("3/25", "Rehabilitering i helsefellesskapet", decision_label=DecisionLabel.VEDTAK,
                decision="SSU tar innledningen til etterretning.", responsible=["Kirsten Sæther"],
                provenance={"page": 2})],
)
