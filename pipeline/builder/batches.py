"""Parsed files into the warehouse, in the order they come: each file's rows are derived
(derive.frames: search terms, topics, outcome classes, references), files are loaded in batches,
a file that fails is recorded with its reason, and the build's summary is counted."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from .. import derive, nlp
from ..derive import Frames
from ..errors import BuildFailed, EnvironmentFault, environment_fault, reason_of
from ..models import Extraction
from ..warehouse import load
from . import workers
from .plan import Plan, shown

log = logging.getLogger(__name__)


@dataclass
class Summary:
    files: int = 0
    skipped: int = 0
    parsed: int = 0
    pages: int = 0
    documents: int = 0
    cases: int = 0
    decisions: int = 0
    attendees: int = 0
    renamed: int = 0
    duplicates: int = 0
    gone: int = 0
    pruned: int = 0
    failed_before: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    skipped_files: list[dict[str, str]] = field(default_factory=list)  # not read: directly under raw/, unsupported
    warehouse: dict[str, int] = field(default_factory=dict)  # logical documents, cases, … after the build
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "failed": self.failed}

    def add_time(self, stage: str, seconds: float) -> None:
        self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds

    def count_warehouse(self, con: duckdb.DuckDBPyConnection) -> None:
        row = con.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM cases), "
                          "(SELECT count(*) FROM decisions), (SELECT count(*) FROM attendees), "
                          "(SELECT count(*) FROM data_quality WHERE kind = 'conflict')").fetchone()
        if row:
            self.warehouse = dict(zip(("documents", "cases", "decisions", "attendees", "conflicts"), row))

    def lines(self) -> list[str]:
        out = [f"files      {self.files} ({self.skipped} unchanged, skipped)",
               f"pages      {self.pages}", f"documents  {self.documents}", f"cases      {self.cases}",
               f"decisions  {self.decisions}", f"attendees  {self.attendees}",
               f"failures   {self.failed}", f"seconds    {self.seconds:.2f}"]
        if self.warehouse:
            w = self.warehouse
            out += [f"warehouse  {w['documents']} documents, {w['cases']} cases, {w['decisions']} decisions, "
                    f"{w['attendees']} attendees",
                    f"           (a document once however many files hold a copy; "
                    f"{w['conflicts']} conflicts between copies in data_quality)"]
        notes = [(self.failed_before, "failed before and unchanged, not retried (--retry-failed)"),
                 (self.renamed, "renamed or moved, path updated"),
                 (self.duplicates, "duplicate content of another file, skipped"),
                 (self.gone, "loaded but gone from raw/" + (f", {self.pruned} pruned" if self.pruned else
                                                             " (kept; --prune removes them)"))]
        out += [f"note       {n} {text}" for n, text in notes if n]
        out += [f"FAILED {shown(f['path'])}: {f['reason']}" for f in self.failures]
        out += [f"SKIPPED {f['path']}: {f['reason']}" for f in self.skipped_files]
        return out


class Loader:
    """Parsed files -> warehouse rows (derive) -> the warehouse, in the order the files come.

    Files are loaded together in one transaction: flushed when BATCH_FILES files are waiting or
    BATCH_SECONDS have passed since the first arrived, and at the end. If the joint load fails,
    each file is loaded alone so only the file at fault is recorded. The first file waits for
    the language tools (`tools`, loading in a thread) while the workers go on reading."""

    BATCH_FILES = 64
    BATCH_SECONDS = 2.0

    def __init__(self, con: duckdb.DuckDBPyConnection, summary: Summary, p: Plan, strict: bool,
                 tools: threading.Thread | None, on_file: Callable[[int, int, workers.Outcome], None] | None,
                 total: int) -> None:
        self.con, self.summary, self.plan, self.strict = con, summary, p, strict
        self.tools, self.on_file, self.total, self.seen = tools, on_file, total, 0
        self.pending: list[tuple[workers.Outcome, Frames]] = []
        self.since = 0.0

    def take(self, outcome: workers.Outcome) -> None:
        for stage, secs in outcome.seconds.items():
            self.summary.add_time(stage, secs)
        if self.tools is not None:
            self.tools.join()  # derive needs them; loaded in this process once, while the workers read
            self.tools = None
        if outcome.environment:  # not the file's fault: stop, record nothing, the next build tries it again
            raise EnvironmentFault(f"{outcome.error}; {outcome.path} not recorded as failed, the next build "
                                   "reads it again")
        frames = _derive(outcome, self.summary)
        self.seen += 1
        if self.on_file:
            self.on_file(self.seen, self.total, outcome)
        if frames is None:
            if self.strict:
                self.flush()  # what parsed before the failure is loaded before the build stops
            record_failure(self.con, self.summary, outcome.path, self.plan.sha.get(outcome.path),
                           outcome.error or "unknown", self.strict)
            return
        self.add(outcome, frames)

    def add(self, outcome: workers.Outcome, frames: Frames) -> None:
        if not self.pending:
            self.since = time.monotonic()
        self.pending.append((outcome, frames))
        if len(self.pending) >= self.BATCH_FILES or time.monotonic() - self.since >= self.BATCH_SECONDS:
            self.flush()

    def _item(self, item: tuple[workers.Outcome, Frames]) -> tuple[Extraction, str | None, Frames]:
        o, frames = item
        assert o.extraction is not None
        return o.extraction, self.plan.previous.get(o.path), frames

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if not pending:
            return
        t = time.perf_counter()
        try:
            load.run_many(self.con, [self._item(o) for o in pending])
            loaded = pending
        except Exception as joint:  # noqa: BLE001 - one file spoils the joint load: load them one by one
            _stop_if_environment(joint)
            loaded = []
            for item in pending:
                try:
                    load.run_many(self.con, [self._item(item)])
                    loaded.append(item)
                except Exception as exc:  # noqa: BLE001 - recorded, the batch goes on
                    _stop_if_environment(exc)
                    o = item[0]
                    record_failure(self.con, self.summary, o.path, self.plan.sha.get(o.path),
                                   reason_of(exc), self.strict)
        self.summary.add_time("load", time.perf_counter() - t)
        for o, _ in loaded:
            _count(self.summary, o)


def _stop_if_environment(exc: BaseException) -> None:
    """A load that failed because of the machine (disk full, permissions) stops the build: the
    files are not recorded as failed, so the next build loads them."""
    fault = environment_fault(exc)
    if fault is not None:
        raise EnvironmentFault(f"cannot write the warehouse ({fault}); nothing recorded against the files, "
                               "the next build loads them") from exc


def load_language_tools() -> threading.Thread:
    """spaCy and the matchers, loaded in a thread while the workers read the first files."""
    thread = threading.Thread(target=nlp.matchers, name="language-tools", daemon=True)
    thread.start()
    return thread


def _derive(outcome: workers.Outcome, summary: Summary) -> Frames | None:
    """The warehouse rows of a parsed file (derive.frames); None, with the reason recorded on the
    outcome, if the file failed or its rows cannot be derived."""
    if outcome.error or outcome.extraction is None:
        return None
    t = time.perf_counter()
    try:
        return derive.frames(outcome.extraction)
    except Exception as exc:  # noqa: BLE001 - the file is recorded as failed, the build goes on
        outcome.error = reason_of(exc)
        return None
    finally:
        summary.add_time("derive", time.perf_counter() - t)


def record_failure(con: duckdb.DuckDBPyConnection, summary: Summary, path: Path, sha: str | None, reason: str,
                   strict: bool) -> None:
    log.error("%s: %s", shown(path), reason)
    summary.failures.append({"path": str(path), "reason": reason})
    load.record_error(con, str(path), sha, reason)
    if strict:
        raise BuildFailed(f"{path}: {reason}")


def _count(summary: Summary, outcome: workers.Outcome) -> None:
    ex = outcome.extraction
    assert ex is not None
    summary.parsed += 1
    summary.pages += outcome.pages
    summary.documents += len(ex.documents)
    for doc in ex.documents:
        summary.cases += len(doc.cases)
        summary.decisions += sum(1 for c in doc.cases if c.decision)
        summary.attendees += len(doc.attendees)
    for w in ex.warnings:
        log.info("%s: %s", outcome.path.name, w)
