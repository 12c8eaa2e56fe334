"""Stage 5: one file's extraction -> its warehouse rows, one Arrow table per warehouse table
(`frames`), with the facts derived per case: search terms, topics, the decision's outcome class,
canonical organisations, and references to other meetings and cases."""
from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import pyarrow as pa

from . import __version__, nlp, vocab
from .models import DecisionLabel, Extraction
from .values import case_key, parse_date

Row = dict[str, Any]  # one warehouse row, column -> value
Frames = dict[str, pa.Table]  # warehouse table -> a file's rows for it
PROPOSED = {DecisionLabel.FORSLAG_TIL_VEDTAK, DecisionLabel.FORSLAG_TIL_KONKLUSJON, DecisionLabel.INNSTILLING}


def meeting_id(partnership: str, body: str | None, date: str | None) -> str | None:
    return f"{partnership}|{body}|{date}" if date and body else None


def frames(ex: Extraction) -> Frames:
    """The warehouse rows of one file's extraction, one Arrow table per warehouse table."""
    src = ex.source
    docs: list[Row] = []
    cases: list[Row] = []
    decisions: list[Row] = []
    attendees: list[Row] = []
    meetings: dict[str, Row] = {}
    topics: list[Row] = []
    refs: list[Row] = []
    attached: list[Row] = []
    shown: list[Row] = []
    postings: dict[str, list[Any]] = {name: [] for name in SEARCH_TERMS.names}  # column by column: many rows
    for d_seq, doc in enumerate(ex.documents, start=1):
        doc_id = f"{src.sha256}:{d_seq}"
        mid = meeting_id(src.partnership, doc.body_abbrev or doc.body, doc.meeting_date)
        if mid and doc.doc_type in ("referat", "protokoll", "innkalling"):
            meetings.setdefault(mid, dict(meeting_id=mid, partnership=src.partnership, body=doc.body,
                                          body_abbrev=doc.body_abbrev, meeting_date=doc.meeting_date,
                                          start_time=doc.start_time, end_time=doc.end_time, location=doc.location,
                                          chair=doc.chair, minute_taker=doc.minute_taker))
        docs.append(dict(doc_id=doc_id, sha256=src.sha256, seq=d_seq, meeting_id=mid, partnership=src.partnership,
                         doc_type=doc.doc_type, organization=doc.organization, body=doc.body,
                         body_abbrev=doc.body_abbrev, meeting_date=doc.meeting_date, start_time=doc.start_time,
                         end_time=doc.end_time, location=doc.location, chair=doc.chair, minute_taker=doc.minute_taker,
                         page_start=doc.provenance.get("page_start"), page_end=doc.provenance.get("page_end"),
                         **ocr_of(doc.provenance)))
        for c_seq, case in enumerate(doc.cases, start=1):
            case_id = f"{doc_id}:{c_seq}"
            counts, case_topics = terms_and_topics(case.title, case.text, case.decision)
            cases.append(dict(case_id=case_id, doc_id=doc_id, sha256=src.sha256, seq=c_seq, number=case.number,
                              case_key=case_key(case.number), title=case.title, case_type=case.case_type,
                              decision_label=case.decision_label, decision=case.decision,
                              responsible=list(case.responsible), page=case.provenance.get("page"),
                              text=case.text, n_terms=sum(counts.values()), attachment_count=case.attachment_count,
                              vote=case.vote, **ocr_of(case.provenance)))
            attached.extend(dict(case_id=case_id, sha256=src.sha256, seq=n, title=t)
                            for n, t in enumerate(case.attachments, start=1))
            doc_len, n = sum(counts.values()), len(counts)
            postings["case_id"] += [case_id] * n
            postings["sha256"] += [src.sha256] * n
            postings["term"] += counts.keys()
            postings["tf"] += counts.values()
            postings["doc_len"] += [doc_len] * n
            topics.extend(dict(case_id=case_id, sha256=src.sha256, topic=t) for t in case_topics)
            outcome = nlp.outcome(case.decision)
            shown.append(dict(case_id=case_id, sha256=src.sha256, partnership=src.partnership,
                              body=doc.body_abbrev or doc.body, meeting_date=doc.meeting_date, doc_type=doc.doc_type,
                              number=case.number, title=case.title, snippet_text=case.decision or case.text or "",
                              outcome=outcome, topics=case_topics, page=case.provenance.get("page"),
                              source_path=src.path))
            refs.extend(dict(case_id=case_id, sha256=src.sha256, ref_text=r[0], ref_body=r[1], ref_date=r[2],
                             ref_case_key=r[3]) for r in references(case.title, case.text, case.decision))
            if case.decision:
                decisions.append(dict(case_id=case_id, doc_id=doc_id, sha256=src.sha256, label=case.decision_label,
                                      text=case.decision, proposed=case.decision_label in PROPOSED,
                                      outcome=outcome, page=case.provenance.get("page"), **ocr_of(case.provenance)))
        for a_seq, a in enumerate(doc.attendees, start=1):
            attendees.append(dict(doc_id=doc_id, sha256=src.sha256, seq=a_seq, name=a.name,
                                  organization=a.organization, title=a.title, status=a.status,
                                  page=a.provenance.get("page"), person_id=person_id(src.partnership, a.name),
                                  organisation_canonical=organisation(a.organization or a.title),
                                  note=a.note, deputy_for=a.deputy_for, from_case=a.from_case, to_case=a.to_case,
                                  **ocr_of(a.provenance)))
    return {
        "source_files": pa.Table.from_pylist([dict(sha256=src.sha256, path=src.path, format=src.format,
                                                   partnership=src.partnership, pages=src.pages, size=src.size,
                                                   pipeline_version=__version__, ocr_pages=src.ocr_pages,
                                                   loaded_at=datetime.now(UTC).replace(tzinfo=None))]),
        "meetings": pa.Table.from_pylist(list(meetings.values())),
        "documents": pa.Table.from_pylist(docs), "cases": _cases_table(cases),
        "decisions": pa.Table.from_pylist(decisions), "attendees": pa.Table.from_pylist(attendees),
        "extraction_warnings": pa.Table.from_pylist([dict(sha256=src.sha256, message=w) for w in ex.warnings]),
        "case_topics": pa.Table.from_pylist(topics), "search_terms": pa.table(postings, schema=SEARCH_TERMS),
        "case_references": pa.Table.from_pylist(refs), "attachments": pa.Table.from_pylist(attached),
        "search_cases": pa.Table.from_pylist(shown, schema=SEARCH_CASES),
    }


VOTE = pa.struct([("text", pa.string()), ("for", pa.int64()), ("against", pa.int64()), ("unanimous", pa.bool_())])


def _cases_table(cases: list[Row]) -> pa.Table:
    """The cases as an Arrow table, `vote` a struct even where no case of the file has one."""
    table = pa.Table.from_pylist(cases)
    if not cases or table.schema.field("vote").type == VOTE:
        return table
    at = table.schema.get_field_index("vote")
    return table.set_column(at, pa.field("vote", VOTE), pa.array([c["vote"] for c in cases], type=VOTE))


SEARCH_TERMS = pa.schema([("case_id", pa.string()), ("sha256", pa.string()), ("term", pa.string()),
                          ("tf", pa.int64()), ("doc_len", pa.int64())])
SEARCH_CASES = pa.schema([("case_id", pa.string()), ("sha256", pa.string()), ("partnership", pa.string()),
                          ("body", pa.string()), ("meeting_date", pa.string()), ("doc_type", pa.string()),
                          ("number", pa.string()), ("title", pa.string()), ("snippet_text", pa.string()),
                          ("outcome", pa.string()), ("topics", pa.list_(pa.string())), ("page", pa.int64()),
                          ("source_path", pa.string())])


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
    parts = nlp.words(title), nlp.words(text), nlp.words(decision)
    return Counter(nlp.stems([w for part in parts for w in part])), nlp.topics_in(*parts)


def ocr_of(provenance: dict[str, int]) -> Row:
    """A row's OCR columns from its provenance: whether its page was read by OCR, and with what
    mean word confidence."""
    return dict(ocr=bool(provenance.get("ocr")), ocr_confidence=provenance.get("ocr_confidence"))


def person_id(partnership: str, name: str) -> str:
    return f"{partnership}|{' '.join(name.casefold().split())}"


def organisation(org: str | None) -> str | None:
    return nlp.organisation(org) if org else None

