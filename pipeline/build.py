"""The main job: every file under raw/ through all stages into extracted/ and the warehouse.

Files are known by content hash. A build first plans (what is new, changed, unchanged, renamed,
a duplicate, gone), then parses only new and changed files in worker processes (workers.py), and
derives and loads them in path order, whole files per transaction (loader.py). One build at a time
holds the warehouse lock."""
from __future__ import annotations

import fcntl
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from . import __version__, ingest, load, workers
from .loader import BuildFailed, Loader, Summary, load_language_tools, record_failure

__all__ = ["BuildFailed", "Plan", "Summary", "WarehouseBusy", "plan", "run"]

log = logging.getLogger(__name__)


class WarehouseBusy(Exception):
    """Another build holds the warehouse lock."""


@dataclass
class Plan:
    """What a build would do with each file under raw/, from content hashes alone."""

    new: list[Path] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)  # new content, or read by an older pipeline version
    unchanged: list[Path] = field(default_factory=list)
    failed_before: list[Path] = field(default_factory=list)  # same content failed last time: not retried
    renamed: list[tuple[str, Path, str]] = field(default_factory=list)  # (old path, new path, sha)
    duplicates: list[tuple[Path, str]] = field(default_factory=list)  # (path, path holding the same content)
    gone: list[tuple[str, str]] = field(default_factory=list)  # (loaded path, sha) no longer under raw/
    sha: dict[Path, str] = field(default_factory=dict)
    previous: dict[Path, str] = field(default_factory=dict)  # changed path -> the sha it replaces
    unreadable: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def todo(self) -> list[Path]:
        return sorted(self.new + self.changed)


def source_paths(raw: Path) -> list[Path]:
    return sorted(p for p in raw.rglob("*") if p.is_file() and p.suffix.lower() in ingest.SUFFIXES
                  and not p.name.startswith("."))


def files_newer_than(raw: Path, db_path: Path) -> int:
    """How many files under raw/ were modified after the warehouse was last written (all of
    them if there is no warehouse): a cheap guess, from modification times alone, at whether a
    build will have files to read. The plan decides from content hashes."""
    try:
        since = db_path.stat().st_mtime
    except OSError:
        since = float("-inf")
    n = 0
    for path in source_paths(raw):
        try:
            n += path.stat().st_mtime > since
        except OSError:
            continue
    return n


def plan(raw: Path, con: duckdb.DuckDBPyConnection | None, retry_failed: bool = False) -> Plan:
    loaded = load.loaded_files(con) if con is not None else {}
    errors = load.failed_files(con) if con is not None else {}
    by_sha = {sha: path for path, (sha, _) in loaded.items()}
    out = Plan()
    seen: dict[str, Path] = {}
    for path in source_paths(raw):
        try:
            sha = ingest.sha256_of(path)
            if path.stat().st_size == 0:
                out.unreadable.append((path, "empty file"))
                continue
        except OSError as exc:
            out.unreadable.append((path, f"cannot read file ({exc.strerror or exc})"))
            continue
        out.sha[path] = sha
        key = str(path)
        if sha in seen:
            out.duplicates.append((path, str(seen[sha])))
            continue
        if key in loaded and loaded[key][0] == sha:
            if loaded[key][1] == __version__:
                out.unchanged.append(path)
            else:  # read by another version of the pipeline: read again
                out.changed.append(path)
                out.previous[path] = sha
        elif sha in by_sha and by_sha[sha] != key:
            old = by_sha[sha]
            if Path(old).exists() and Path(old).resolve() != path.resolve():
                out.duplicates.append((path, old))
                continue
            else:
                out.renamed.append((old, path, sha))
        elif errors.get(key) == sha and not retry_failed:
            out.failed_before.append(path)
        elif key in loaded:
            out.changed.append(path)
            out.previous[path] = loaded[key][0]
        else:
            out.new.append(path)
        seen[sha] = path
    present = {str(p) for p in out.sha}
    moved = {old for old, _, _ in out.renamed}
    out.gone = sorted((p, sha) for p, (sha, _) in loaded.items() if p not in present and p not in moved)
    return out


@contextmanager
def warehouse_lock(db_path: Path, wait: float = 0.0) -> Iterator[None]:
    """An exclusive lock beside the warehouse file, released when the process ends in any way."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
                    raise WarehouseBusy(f"{db_path}: another build is running (pid {holder}); "
                                        "try again later or pass --wait SECONDS") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def run(raw: Path, db_path: Path, out_dir: Path, strict: bool = False, prune: bool = False,
        jobs: int | None = None, guard: workers.Guard = workers.Guard(), retry_failed: bool = False,
        wait: float = 0.0, on_file: Callable[[int, int, workers.Outcome], None] | None = None) -> Summary:
    started = time.perf_counter()
    summary = Summary()
    with warehouse_lock(db_path, wait):
        jobs = workers.default_jobs() if jobs is None else jobs
        # workers start while the warehouse opens and the plan is made, when files look new
        early = min(jobs, files_newer_than(raw, db_path))
        pool = workers.start_pool(early, guard) if early else None
        con = None
        try:
            con = load.connect(db_path, reference_data=False)  # refreshed after the files: the workers wait less
            t = time.perf_counter()
            p = plan(raw, con, retry_failed)
            summary.add_time("plan", time.perf_counter() - t)
            _apply_plan_facts(con, p, summary, prune)
            for path, reason in p.unreadable:
                record_failure(con, summary, path, None, reason, strict)
            todo = p.todo
            workers_n = min(jobs, len(todo)) if jobs else 0
            if pool is not None and early < workers_n:  # more to read than the early start expected
                pool.shutdown(wait=False, cancel_futures=True)
                pool = None
            tools = load_language_tools() if workers_n else None  # loaded while the workers read
            loader = Loader(con, summary, p, strict, tools, on_file, len(todo))
            outcomes = workers.parse_files(todo, raw, out_dir, workers_n, guard, p.sha, pool=pool)
            for outcome in workers.collected(outcomes) if workers_n else outcomes:
                loader.take(outcome)
            loader.flush()  # the last batch
            load.refresh_reference_data(con)
            t = time.perf_counter()
            if load.sort_search_terms(con):
                summary.add_time("sort_search", time.perf_counter() - t)
        finally:
            if pool is not None:  # parse_files shuts it down; this is for a build stopped before it ran
                pool.shutdown(wait=True, cancel_futures=True)
            if con is not None:
                con.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _apply_plan_facts(con, p: Plan, summary: Summary, prune: bool) -> None:
    summary.files = len(p.sha) + len(p.unreadable)
    summary.skipped = len(p.unchanged)
    summary.failed_before = len(p.failed_before)
    summary.duplicates = len(p.duplicates)
    summary.renamed = len(p.renamed)
    summary.gone = len(p.gone)
    for old, new, sha in p.renamed:
        load.rename_file(con, sha, str(new))
        log.info("%s: renamed from %s", new, old)
    for path, other in p.duplicates:
        log.info("%s: same content as %s, skipped", path, other)
    for path, sha in p.gone:
        if prune:
            load.remove_file(con, sha)
            summary.pruned += 1
            log.info("%s: gone from raw/, pruned", path)
        else:
            log.warning("%s: gone from raw/ (kept; --prune removes it)", path)


