"""Stage 5: one file's extraction -> its warehouse rows (its copy of each document), column by column
for each warehouse table (`frames`; warehouse/arrow.py makes Arrow tables of several files' rows at
once), with the facts derived per case: search terms, topics, the decision's outcome class,
canonical organisations, and references to other meetings and cases. Plain Python values only: a
worker that derives a file's rows (a file read ahead of the plan) imports no Arrow."""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain, repeat
from typing import Any

from . import __version__, nlp
from .facts import CaseFacts, case_facts
from .facts import references as references
from .facts import terms_and_topics as terms_and_topics
from .models import Case, Document, Extraction
from .values import case_key

Row = tuple[Any, ...]  # one warehouse row, in its table's column order
Columns = list[Sequence[Any]]  # a table's rows column by column, in its schema's order ([] for none)
Frames = dict[str, Columns]  # warehouse table -> a file's rows for it


def meeting_id(partnership: str, body: str | None, date: str | None) -> str | None:
    return f"{partnership}|{body}|{date}" if date and body else None


NUMBER_PARTS = re.compile(r"(\d+)")


def number_sort(number: str | None) -> str | None:
    """A key that sorts case numbers naturally: every run of digits padded to eight, so 2/25 comes
    before 11/25 and 2024.2 before 2024.10."""
    if number is None:
        return None
    return NUMBER_PARTS.sub(lambda m: m.group(1).zfill(8), " ".join(number.casefold().split()))


def _document_ocr(doc: Document) -> tuple[bool, int | None]:
    """A copy's OCR columns: read by OCR when any of its pages, cases or attendees was (the boolean
    merge.py ranks copies on); the confidence its provenance gives, else the mean of its rows'."""
    rows = [doc.provenance, *(c.provenance for c in doc.cases), *(a.provenance for a in doc.attendees)]
    if not any(p.get("ocr") for p in rows):
        return False, None
    confidence = doc.provenance.get("ocr_confidence")
    if confidence is None:
        found = [p["ocr_confidence"] for p in rows if p.get("ocr_confidence") is not None]
        confidence = round(sum(found) / len(found)) if found else None
    return True, confidence


def decision_page(case: Case) -> int | None:
    """Where the decision text is: the record's decision_provenance when it gives one (CONTRACT.md),
    else the page the case starts on."""
    given = getattr(case, "decision_provenance", None) or {}
    page = given.get("page") if isinstance(given, dict) else None
    return page or case.provenance.get("decision_page") or case.provenance.get("page")


def _vote(case: Case) -> dict[str, Any] | None:
    """How the decision was voted on, where the record says: text, for, against, unanimous."""
    vote = case.vote
    if not vote:
        return None
    return {k: vote.get(k) for k in ("text", "for", "against", "unanimous")}


def ocr_of(provenance: dict[str, int]) -> tuple[bool, int | None]:
    """A row's OCR columns from its provenance: whether its page was read by OCR, and with what
    mean word confidence."""
    return bool(provenance.get("ocr")), provenance.get("ocr_confidence")


def frames(ex: Extraction) -> Frames:
    """The warehouse rows of one file's extraction (its copy of each document it holds), column by
    column for each warehouse table; arrow.tables makes Arrow tables of several files' at once. The
    logical tables are made from these by merge.py."""
    src, sha = ex.source, ex.source.sha256
    docs: list[Row] = []
    cases: list[Row] = []
    attendees: list[Row] = []
    refs: list[Row] = []
    attached: list[Row] = []
    postings = Postings()
    for d_seq, doc in enumerate(ex.documents, start=1):
        doc_id = f"{sha}:{d_seq}"
        docs.append((doc_id, sha, d_seq, src.partnership, doc.doc_type, doc.organization, doc.body, doc.body_abbrev,
                     doc.meeting_date, doc.start_time, doc.end_time, doc.location, doc.chair, doc.minute_taker,
                     doc.provenance.get("page_start"), doc.provenance.get("page_end"), *_document_ocr(doc)))
        for c_seq, case in enumerate(doc.cases, start=1):
            case_id = f"{doc_id}:{c_seq}"
            f = case_facts(case.title, case.text, case.decision)
            cases.append((case_id, doc_id, sha, c_seq, case.number, case_key(case.number), case.title, case.case_type,
                          case.decision_label, case.decision, f.outcome, case.responsible, case.provenance.get("page"),
                          decision_page(case) if case.decision else None, case.text, f.n_terms,
                          case.attachment_count, f.topics, _vote(case), *ocr_of(case.provenance)))
            attached.extend((case_id, sha, n, t) for n, t in enumerate(case.attachments, start=1))
            postings.add(case_id, f)
            refs.extend((case_id, sha, *r) for r in f.references)
        attendees.extend((doc_id, sha, a_seq, a.name, a.organization, a.title, a.status, a.provenance.get("page"),
                          organisation(a.organization or a.title), a.note, a.deputy_for, a.from_case, a.to_case,
                          *ocr_of(a.provenance)) for a_seq, a in enumerate(doc.attendees, start=1))
    source = (sha, src.path, src.format, src.partnership, src.pages, src.size, __version__, src.ocr_pages,
              datetime.now(UTC).replace(tzinfo=None))
    return {
        "source_files": _columns([source]), "copy_documents": _columns(docs), "copy_cases": _columns(cases),
        "copy_attendees": _columns(attendees), "extraction_warnings": _columns([(sha, w) for w in ex.warnings]),
        "search_terms": postings.columns(sha), "copy_case_references": _columns(refs),
        "copy_attachments": _columns(attached),
    }


class Runs(Sequence[Any]):
    """A column whose values come in runs, each value repeated `counts` times (a case's postings
    share its id and length, a file's postings its sha256): given to Arrow run-end encoded, so
    the repeats are neither listed nor converted one by one."""

    def __init__(self, values: list[Any] | None = None, counts: list[int] | None = None) -> None:
        self.values: list[Any] = values or []
        self.counts: list[int] = counts or []

    def add(self, value: Any, count: int) -> None:
        if count:
            self.values.append(value)
            self.counts.append(count)

    def __len__(self) -> int:
        return sum(self.counts)

    def __iter__(self) -> Iterator[Any]:
        return chain.from_iterable(map(repeat, self.values, self.counts))

    def __getitem__(self, i: Any) -> Any:
        return list(self)[i]


class Postings:
    """A file's search postings (case, term, term frequency, case length), column by column: a
    case adds its terms and their counts whole."""

    def __init__(self) -> None:
        self.case_ids = Runs()
        self.terms: list[str] = []
        self.tfs: list[int] = []
        self.lengths = Runs()

    def add(self, case_id: str, facts: CaseFacts) -> None:
        n = len(facts.terms)
        self.case_ids.add(case_id, n)
        self.terms += facts.terms
        self.tfs += facts.tfs
        self.lengths.add(facts.n_terms, n)

    def columns(self, sha256: str) -> Columns:
        return [self.case_ids, Runs([sha256], [len(self.terms)]), self.terms, self.tfs, self.lengths]


def _columns(rows: list[Row]) -> Columns:
    """Rows (tuples in their table's column order) column by column; [] for no rows."""
    return list(zip(*rows, strict=True))


def person_id(partnership: str, name: str) -> str:
    return f"{partnership}|{' '.join(name.casefold().split())}"


def organisation(org: str | None) -> str | None:
    return nlp.organisation(org) if org else None

