"""Stage 5: one file's extraction -> its warehouse rows (its copy of each document), one Arrow table
per warehouse table (`frames`), with the facts derived per case: search terms, topics, the
decision's outcome class, canonical organisations, and references to other meetings and cases."""
from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from functools import lru_cache
from itertools import chain
from typing import Any

import pyarrow as pa

from . import __version__, nlp, vocab
from .models import Case, Document, Extraction
from .values import case_key, parse_date

Row = dict[str, Any]  # one warehouse row, column -> value
Frames = dict[str, pa.Table]  # warehouse table -> a file's rows for it


def meeting_id(partnership: str, body: str | None, date: str | None) -> str | None:
    return f"{partnership}|{body}|{date}" if date and body else None


NUMBER_PARTS = re.compile(r"(\d+)")


def number_sort(number: str | None) -> str | None:
    """A key that sorts case numbers naturally: every run of digits padded to eight, so 2/25 comes
    before 11/25 and 2024.2 before 2024.10."""
    if number is None:
        return None
    return NUMBER_PARTS.sub(lambda m: m.group(1).zfill(8), " ".join(number.casefold().split()))


def _ocr(provenance: dict[str, int]) -> bool:
    return bool(provenance.get("ocr"))


def _document_ocr(doc: Document) -> Row:
    """A copy's OCR columns: read by OCR when any of its pages, cases or attendees was (the boolean
    merge.py ranks copies on); the confidence its provenance gives, else the mean of its rows'."""
    rows = [doc.provenance, *(c.provenance for c in doc.cases), *(a.provenance for a in doc.attendees)]
    if not any(_ocr(p) for p in rows):
        return dict(ocr=False, ocr_confidence=None)
    confidence = doc.provenance.get("ocr_confidence")
    if confidence is None:
        found = [p["ocr_confidence"] for p in rows if p.get("ocr_confidence") is not None]
        confidence = round(sum(found) / len(found)) if found else None
    return dict(ocr=True, ocr_confidence=confidence)


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


def frames(ex: Extraction) -> Frames:
    """The warehouse rows of one file's extraction (its copy of each document it holds), one Arrow
    table per warehouse table. The logical tables are made from these by merge.py."""
    src = ex.source
    docs: list[Row] = []
    cases: list[Row] = []
    attendees: list[Row] = []
    refs: list[Row] = []
    attached: list[Row] = []
    postings: dict[str, list[Any]] = {name: [] for name in SEARCH_TERMS.names}  # column by column: many rows
    for d_seq, doc in enumerate(ex.documents, start=1):
        doc_id = f"{src.sha256}:{d_seq}"
        docs.append(dict(copy_doc_id=doc_id, sha256=src.sha256, seq=d_seq, partnership=src.partnership,
                         doc_type=doc.doc_type, organization=doc.organization, body=doc.body,
                         body_abbrev=doc.body_abbrev, meeting_date=doc.meeting_date, start_time=doc.start_time,
                         end_time=doc.end_time, location=doc.location, chair=doc.chair, minute_taker=doc.minute_taker,
                         page_start=doc.provenance.get("page_start"), page_end=doc.provenance.get("page_end"),
                         **_document_ocr(doc)))
        for c_seq, case in enumerate(doc.cases, start=1):
            case_id = f"{doc_id}:{c_seq}"
            counts, case_topics = terms_and_topics(case.title, case.text, case.decision)
            cases.append(dict(copy_case_id=case_id, copy_doc_id=doc_id, sha256=src.sha256, seq=c_seq,
                              number=case.number, case_key=case_key(case.number), title=case.title,
                              case_type=case.case_type, decision_label=case.decision_label, decision=case.decision,
                              outcome=nlp.outcome(case.decision), responsible=list(case.responsible),
                              page=case.provenance.get("page"),
                              decision_page=decision_page(case) if case.decision else None, text=case.text,
                              n_terms=sum(counts.values()), attachment_count=case.attachment_count,
                              topics=case_topics, vote=_vote(case), **ocr_of(case.provenance)))
            attached.extend(dict(copy_case_id=case_id, sha256=src.sha256, seq=n, title=t)
                            for n, t in enumerate(case.attachments, start=1))
            doc_len, n = sum(counts.values()), len(counts)
            postings["copy_case_id"] += [case_id] * n
            postings["sha256"] += [src.sha256] * n
            postings["term"] += counts.keys()
            postings["tf"] += counts.values()
            postings["doc_len"] += [doc_len] * n
            refs.extend(dict(copy_case_id=case_id, sha256=src.sha256, ref_text=r[0], ref_body=r[1], ref_date=r[2],
                             ref_case_key=r[3]) for r in references(case.title, case.text, case.decision))
        for a_seq, a in enumerate(doc.attendees, start=1):
            attendees.append(dict(copy_doc_id=doc_id, sha256=src.sha256, seq=a_seq, name=a.name,
                                  organization=a.organization, title=a.title, status=a.status,
                                  page=a.provenance.get("page"),
                                  organisation_canonical=organisation(a.organization or a.title),
                                  note=a.note, deputy_for=a.deputy_for, from_case=a.from_case, to_case=a.to_case,
                                  **ocr_of(a.provenance)))
    return {
        "source_files": pa.Table.from_pylist([dict(sha256=src.sha256, path=src.path, format=src.format,
                                                   partnership=src.partnership, pages=src.pages, size=src.size,
                                                   pipeline_version=__version__, ocr_pages=src.ocr_pages,
                                                   loaded_at=datetime.now(UTC).replace(tzinfo=None))]),
        "copy_documents": pa.Table.from_pylist(docs), "copy_cases": pa.Table.from_pylist(cases, schema=COPY_CASES),
        "copy_attendees": pa.Table.from_pylist(attendees),
        "extraction_warnings": pa.Table.from_pylist([dict(sha256=src.sha256, message=w) for w in ex.warnings]),
        "search_terms": pa.table(postings, schema=SEARCH_TERMS),
        "copy_case_references": pa.Table.from_pylist(refs), "copy_attachments": pa.Table.from_pylist(attached),
    }


VOTE = pa.struct([("text", pa.string()), ("for", pa.int64()), ("against", pa.int64()), ("unanimous", pa.bool_())])
SEARCH_TERMS = pa.schema([("copy_case_id", pa.string()), ("sha256", pa.string()), ("term", pa.string()),
                          ("tf", pa.int64()), ("doc_len", pa.int64())])
COPY_CASES = pa.schema([("copy_case_id", pa.string()), ("copy_doc_id", pa.string()), ("sha256", pa.string()),
                        ("seq", pa.int64()), ("number", pa.string()), ("case_key", pa.string()),
                        ("title", pa.string()), ("case_type", pa.string()), ("decision_label", pa.string()),
                        ("decision", pa.string()), ("outcome", pa.string()), ("responsible", pa.list_(pa.string())),
                        ("page", pa.int64()), ("decision_page", pa.int64()), ("text", pa.string()),
                        ("n_terms", pa.int64()), ("attachment_count", pa.int64()), ("topics", pa.list_(pa.string())),
                        ("vote", VOTE), ("ocr", pa.bool_()), ("ocr_confidence", pa.int64())])


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Reference patterns over the body abbreviations of vocab.toml (SSU, FSU, …)."""
    abbrevs = sorted({a for _, a in vocab.load().bodies if a}, key=len, reverse=True)
    body = rf"(?P<body>{'|'.join(map(re.escape, abbrevs))})"
    meeting = re.compile(rf"\b(?:Referat|Protokoll|Møtereferat)(?:er)?\s+(?:fra\s+)?(?:møte\s+i\s+)?{body}\s+"
                         r"(?:møte\s+)?(?:den\s+)?(?P<date>\d{1,2}\.\d{1,2}\.\d{2,4})", re.I)
    case = re.compile(rf"\b(?:ref\.?\s+)?sak(?:\s+nr\.?)?\s+(?:{body}\s+)?"
                      r"(?P<num>(?:19|20)\d\d\.\d{1,3}|\d{1,3}/\d{2,4})", re.I)
    return meeting, case


Reference = tuple[str, str | None, str | None, str | None]  # text, body, date, case key


def references(*texts: str | None) -> list[Reference]:
    """(text, body, date, case key) for each reference to a meeting's minutes or to a case."""
    meeting_ref, case_ref = _patterns()
    out: list[Reference] = []
    for text in (t for t in texts if t):
        for m in meeting_ref.finditer(text):
            out.append((m.group(0), m.group("body").upper(), parse_date(m.group("date")), None))
        for m in case_ref.finditer(text):
            body = m.group("body").upper() if m.group("body") else None
            out.append((m.group(0), body, None, case_key(m.group("num").rstrip("."))))
    seen: set[Reference] = set()
    unique: list[Reference] = []
    for r in out:
        if r not in seen:
            seen.add(r)
            unique.append(r)
    return unique


def terms_and_topics(title: str | None, text: str | None, decision: str | None) -> tuple[Counter[str], list[str]]:
    """A case's search terms (stem -> count) and its topics, from its words split once."""
    title_s, text_s, decision_s = (nlp.stems(nlp.words(part)) for part in (title, text, decision))
    return Counter(chain(title_s, text_s, decision_s)), nlp.topics_of_stems(title_s, text_s, decision_s)


def ocr_of(provenance: dict[str, int]) -> Row:
    """A row's OCR columns from its provenance: whether its page was read by OCR, and with what
    mean word confidence."""
    return dict(ocr=bool(provenance.get("ocr")), ocr_confidence=provenance.get("ocr_confidence"))


def person_id(partnership: str, name: str) -> str:
    return f"{partnership}|{' '.join(name.casefold().split())}"


def organisation(org: str | None) -> str | None:
    return nlp.organisation(org) if org else None

