"""Parsed files into the warehouse, in the order they come: each file's rows are derived
(derive.frames: search terms, topics, outcome classes, references), files are loaded in batches,
a file that fails is recorded with its reason, and the build's summary is counted."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from .. import derive, nlp, vocab
from ..derive import Frames
from ..errors import BuildFailed, EnvironmentFault, environment_fault, reason_of
from ..models import Extraction
from ..warehouse import load
from . import workers
from .plan import Plan, shown
from .summary import Summary

log = logging.getLogger(__name__)


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
        if outcome.environment:  # not the file's fault: stop, record nothing, the next build tries it again
            raise EnvironmentFault(f"{outcome.error}; {outcome.path} not recorded as failed, the next build "
                                   "reads it again")
        frames = outcome.frames if outcome.frames is not None else self._derive(outcome)
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

    def _derive(self, outcome: workers.Outcome) -> Frames | None:
        if self.tools is not None:
            self.tools.join()  # derive needs them; loaded in this process once, while the workers read
            self.tools = None
        return _derive(outcome, self.summary)

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
    """The vocabulary's patterns and the taxonomy's phrases derive uses, made in a thread while the
    workers read the first files."""
    thread = threading.Thread(target=_language_tools, name="language-tools", daemon=True)
    thread.start()
    return thread


def _language_tools() -> None:
    vocab.load()
    nlp.matchers()


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
