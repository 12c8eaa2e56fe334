"""The copy tables' rows as Arrow tables: the rows of several files (derive.frames of each) one
table per warehouse table, each column converted once for all the files, and the tables' Arrow
schemas."""
from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate, chain
from typing import Any, cast

import pyarrow as pa

from ..derive import Frames, Runs


def tables(files: Sequence[Frames]) -> dict[str, pa.Table]:
    """The rows of several files (`frames` of each) as one Arrow table per warehouse table that
    any of them has rows for: each column converted to Arrow once for all the files, not file by
    file (the conversion's cost is mostly per call)."""
    out: dict[str, pa.Table] = {}
    for name, schema in SCHEMAS.items():
        parts = [f[name] for f in files if f[name] and len(f[name][0])]
        if parts:
            out[name] = pa.Table.from_arrays([_array([p[i] for p in parts], t) for i, t in enumerate(schema.types)],
                                             names=schema.names)
    return out


def _array(parts: list[Sequence[Any]], type_: pa.DataType) -> pa.Array:
    """One Arrow array of the parts of a column, one after the other."""
    if all(isinstance(p, Runs) for p in parts):
        runs = cast(list[Runs], parts)
        ends = list(accumulate(chain.from_iterable(r.counts for r in runs)))
        values = list(chain.from_iterable(r.values for r in runs))
        return pa.RunEndEncodedArray.from_arrays(pa.array(ends, pa.int32()), pa.array(values, type_))
    return pa.array(parts[0] if len(parts) == 1 else list(chain.from_iterable(parts)), type_)


S, INT, BOOL = pa.string(), pa.int64(), pa.bool_()
OCR = [("ocr", BOOL), ("ocr_confidence", INT)]
VOTE = pa.struct([("text", S), ("for", INT), ("against", INT), ("unanimous", BOOL)])
SOURCE_FILES = pa.schema([("sha256", S), ("path", S), ("format", S), ("partnership", S), ("pages", INT),
                          ("size", INT), ("pipeline_version", S), ("ocr_pages", INT),
                          ("loaded_at", pa.timestamp("us"))])
COPY_DOCUMENTS = pa.schema([("copy_doc_id", S), ("sha256", S), ("seq", INT), ("partnership", S), ("doc_type", S),
                            ("organization", S), ("body", S), ("body_abbrev", S), ("meeting_date", S),
                            ("start_time", S), ("end_time", S), ("location", S), ("chair", S), ("minute_taker", S),
                            ("page_start", INT), ("page_end", INT), *OCR])
COPY_CASES = pa.schema([("copy_case_id", S), ("copy_doc_id", S), ("sha256", S), ("seq", INT), ("number", S),
                        ("case_key", S), ("title", S), ("case_type", S), ("decision_label", S), ("decision", S),
                        ("outcome", S), ("responsible", pa.list_(S)), ("page", INT), ("decision_page", INT),
                        ("text", S), ("n_terms", INT), ("attachment_count", INT), ("topics", pa.list_(S)),
                        ("vote", VOTE), *OCR])
COPY_ATTENDEES = pa.schema([("copy_doc_id", S), ("sha256", S), ("seq", INT), ("name", S), ("organization", S),
                            ("title", S), ("status", S), ("page", INT), ("organisation_canonical", S), ("note", S),
                            ("deputy_for", S), ("from_case", S), ("to_case", S), *OCR])
EXTRACTION_WARNINGS = pa.schema([("sha256", S), ("message", S)])
SEARCH_TERMS = pa.schema([("copy_case_id", S), ("sha256", S), ("term", S), ("tf", INT), ("doc_len", INT)])
COPY_CASE_REFERENCES = pa.schema([("copy_case_id", S), ("sha256", S), ("ref_text", S), ("ref_body", S),
                                  ("ref_date", S), ("ref_case_key", S)])
COPY_ATTACHMENTS = pa.schema([("copy_case_id", S), ("sha256", S), ("seq", INT), ("title", S)])
SCHEMAS = {"source_files": SOURCE_FILES, "copy_documents": COPY_DOCUMENTS, "copy_cases": COPY_CASES,
           "copy_attendees": COPY_ATTENDEES, "extraction_warnings": EXTRACTION_WARNINGS, "search_terms": SEARCH_TERMS,
           "copy_case_references": COPY_CASE_REFERENCES, "copy_attachments": COPY_ATTACHMENTS}
