"""The extraction stages for one file: ingest -> extract_text -> segment -> parse -> JSON record."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import extract_text, ingest, parse, segment
from .models import Extraction, Page, SourceFile


def pages_to_extraction(source: SourceFile, pages: list[Page]) -> Extraction:
    segments = segment.run(pages)
    file_texts = [ln.text for p in pages for ln in p.lines[:40]]
    # every person the file names, to join names wrapped over lines in responsible columns
    names = frozenset(n for seg in segments for n in parse.people(seg))
    documents, warnings = [], []
    for seg in segments:
        doc, notes = parse.run(seg, file_texts, names)
        documents.append(doc)
        warnings.extend(notes)
    return Extraction(source=source, documents=documents, warnings=warnings)


def run(path: Path, raw_root: Path | None = None) -> tuple[Extraction, list[Page]]:
    source = ingest.run(path, raw_root)
    pages = extract_text.run(source)
    if source.format != "pdf":
        source = SourceFile(**{**asdict(source), "pages": len(pages)})
    return pages_to_extraction(source, pages), pages


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2)


def pages_to_dict(source: SourceFile, pages: list[Page]) -> dict[str, Any]:
    return {"schema_version": 1, "sha256": source.sha256, "path": source.path,
            "pages": [asdict(p) for p in pages]}
