"""One file through the reading and parsing stages (ingest -> lines -> segment -> document), and
the JSON of their outputs: the `minutes extract` record and the stage files under extracted/."""
from __future__ import annotations

import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import orjson

from . import stagefiles, vocab
from .models import Extraction, Page, SourceFile
from .parse import document, reflow, segment
from .read import ingest, lines


def pages_to_extraction(source: SourceFile, pages: list[Page]) -> Extraction:
    vocab.forget_texts()  # what the parser remembers of lines holds for one file
    pages = reflow.run(pages, wrapped=source.format == "pdf")
    segments = segment.run(pages)
    file_texts = tuple(ln.text for p in pages for ln in p.lines[:40])
    # every person the file names, to join names wrapped over lines in responsible columns
    found = [document.people(seg) for seg in segments]
    names = frozenset(n for people in found for n in people.names)
    documents, warnings = [], []
    for seg, people in zip(segments, found):
        doc, notes = document.run(seg, file_texts, names, people)
        documents.append(doc)
        warnings.extend(notes)
    return Extraction(source=source, documents=documents, warnings=warnings)


def with_page_count(source: SourceFile, pages: list[Page]) -> SourceFile:
    """A text file's pages are known only after reading it (form feeds); a PDF's pages read by
    OCR only after reading it."""
    if source.format == "pdf":
        scanned = sum(1 for p in pages if p.ocr_confidence is not None)
        return replace(source, ocr_pages=scanned) if scanned else source
    return SourceFile(**{**asdict(source), "pages": len(pages)})


def mark_ocr(ex: Extraction, pages: list[Page]) -> None:
    """Rows read from pages read by OCR say so in their provenance (`ocr: true` and the page's
    mean word confidence, rounded); a document, when any of its pages was (the mean over those);
    the pages' notes (junk text layers, low confidence) become warnings."""
    confidence = {p.number: p.ocr_confidence for p in pages if p.ocr_confidence is not None and p.lines}
    ex.warnings.extend(note for p in pages for note in p.notes)
    if not confidence:
        return

    def mark(provenance: dict[str, int], numbers: list[int]) -> None:
        found = [confidence[n] for n in numbers if n in confidence]
        if found:
            provenance["ocr"] = True
            provenance["ocr_confidence"] = round(sum(found) / len(found))

    for doc in ex.documents:
        start, end = doc.provenance.get("page_start"), doc.provenance.get("page_end")
        if start is not None:
            mark(doc.provenance, list(range(start, (end or start) + 1)))
        for provenance in [a.provenance for a in doc.attendees] + [c.provenance for c in doc.cases]:
            page = provenance.get("page")
            if page is not None:
                mark(provenance, [page])


def prepare() -> None:
    """What reading any file needs, made now instead of at the first file: the vocabulary's
    patterns (compiling them takes longer than parsing a short file). A worker prepares while the
    build process opens the warehouse and plans, so the first file is not kept waiting."""
    vocab.load()


def run(path: Path, raw_root: Path | None = None, times: dict[str, float] | None = None,
        sha256: str | None = None) -> tuple[Extraction, list[Page]]:
    """ingest -> lines -> segment/document; seconds per stage are added to `times` if given."""
    t0 = time.perf_counter()
    source = ingest.run(path, raw_root, sha256)
    t1 = time.perf_counter()
    pages = lines.run(source)
    t2 = time.perf_counter()
    ex = pages_to_extraction(with_page_count(source, pages), pages)
    mark_ocr(ex, pages)
    if times is not None:
        times.update(ingest=t1 - t0, extract_text=t2 - t1, parse=time.perf_counter() - t2)
    return ex, pages


def json_bytes(data: dict[str, Any], pretty: bool = True) -> bytes:
    """UTF-8 JSON with sorted keys, æøå as themselves; `pretty`: indented by two spaces (the same
    bytes as json.dumps(indent=2, sort_keys=True, ensure_ascii=False)), else on one line."""
    option = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if pretty else 0)
    return orjson.dumps(data, option=option)


def to_json(data: dict[str, Any]) -> str:
    return json_bytes(data).decode("utf-8")


def pages_to_dict(source: SourceFile, pages: list[Page]) -> dict[str, Any]:
    # Line holds only plain values, so a shallow copy of each is its dict (asdict deep-copies)
    return {"schema_version": 1, "sha256": source.sha256, "path": source.path,
            "pages": [{"number": p.number, "lines": [dict(vars(ln)) for ln in p.lines],
                       "furniture": list(p.furniture), "ocr_confidence": p.ocr_confidence} for p in pages]}


def read_stage_output(out_dir: Path, path: Path, raw_root: Path | None, sha256: str) -> Extraction | None:
    """The extraction of the file at `path` (content `sha256`) from its stage file
    extracted/documents/<sha>.json, without reading the file's text; None where there is none."""
    try:
        data = orjson.loads((out_dir / "documents" / f"{sha256}.json").read_bytes())
    except FileNotFoundError:
        return None
    if data.get("schema_version") != Extraction.schema_version:
        return None
    recorded = data["source"]
    source = SourceFile(path=str(path), sha256=sha256, format=recorded["format"],
                        partnership=ingest.partnership_of(path, raw_root), size=path.stat().st_size,
                        pages=recorded["pages"], ocr_pages=recorded.get("ocr_pages", 0))
    return Extraction.from_dict(data, source)


def stage_files(ex: Extraction, pages: list[Page]) -> dict[str, bytes]:
    """A file's stage files by their path under extracted/: text/<sha>.json (lines per page) and
    documents/<sha>.json (the `minutes extract` record), as compact JSON (one line)."""
    sha = ex.source.sha256
    return {f"{stage}/{sha}.json": json_bytes(data, pretty=False)
            for stage, data in (("text", pages_to_dict(ex.source, pages)), ("documents", ex.to_dict()))}


def write_stage_outputs(out_dir: Path, ex: Extraction, pages: list[Page]) -> None:
    stagefiles.write(out_dir, stage_files(ex, pages))
