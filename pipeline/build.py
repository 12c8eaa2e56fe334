"""The main job: every file under raw/ through all stages into extracted/ and the warehouse.
Unchanged files (same path, same content hash) are skipped without parsing."""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import extract, ingest, load

log = logging.getLogger(__name__)


@dataclass
class Summary:
    files: int = 0
    skipped: int = 0
    pages: int = 0
    documents: int = 0
    cases: int = 0
    decisions: int = 0
    attendees: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)

    def as_dict(self) -> dict:
        return {**asdict(self), "failed": self.failed}

    def lines(self) -> list[str]:
        out = [f"files      {self.files} ({self.skipped} unchanged, skipped)",
               f"pages      {self.pages}", f"documents  {self.documents}", f"cases      {self.cases}",
               f"decisions  {self.decisions}", f"attendees  {self.attendees}",
               f"failures   {self.failed}", f"seconds    {self.seconds:.2f}"]
        out += [f"FAILED {f['path']}: {f['reason']}" for f in self.failures]
        return out


def source_paths(raw: Path) -> list[Path]:
    return sorted(p for p in raw.rglob("*") if p.is_file() and p.suffix.lower() in ingest.SUFFIXES
                  and not p.name.startswith("."))


def write_stage_outputs(out_dir: Path, ex: extract.Extraction, pages: list) -> None:
    sha = ex.source.sha256
    for stage, data in (("text", extract.pages_to_dict(ex.source, pages)), ("documents", ex.to_dict())):
        target = out_dir / stage / f"{sha}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(extract.to_json(data), encoding="utf-8")
        tmp.replace(target)


class BuildFailed(Exception):
    """Raised in strict mode at the first file that fails."""


def run(raw: Path, db_path: Path, out_dir: Path, strict: bool = False,
        progress: Callable[[Iterable[Path]], Iterable[Path]] = lambda x: x) -> Summary:
    started = time.perf_counter()
    summary = Summary()
    con = load.connect(db_path)
    try:
        known = load.loaded(con)
        for path in progress(source_paths(raw)):
            summary.files += 1
            _one(con, path, raw, out_dir, known, summary, strict)
    finally:
        con.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _one(con, path: Path, raw: Path, out_dir: Path, known: dict[str, str], summary: Summary, strict: bool) -> None:
    sha = None
    try:
        sha = ingest.sha256_of(path)
        if known.get(str(path)) == sha:
            summary.skipped += 1
            return
        ex, pages = extract.run(path, raw)
        write_stage_outputs(out_dir, ex, pages)
        load.run(con, ex, replaces=known.get(str(path)))
    except Exception as exc:  # a bad file is recorded and the batch goes on
        reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, (ingest.IngestError,)) else str(exc)
        log.error("%s: %s", path, reason)
        summary.failures.append({"path": str(path), "reason": reason})
        load.record_error(con, str(path), sha, reason)
        if strict:
            raise BuildFailed(f"{path}: {reason}") from exc
        return
    summary.pages += len(pages)
    summary.documents += len(ex.documents)
    for doc in ex.documents:
        summary.cases += len(doc.cases)
        summary.decisions += sum(1 for c in doc.cases if c.decision)
        summary.attendees += len(doc.attendees)
    for w in ex.warnings:
        log.warning("%s: %s", path.name, w)
