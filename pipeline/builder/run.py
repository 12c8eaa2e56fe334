"""The main job: every file under raw/ through all stages into extracted/ and the warehouse.

Files are known by content hash. A build first plans (what is new, changed, unchanged, renamed,
a duplicate, gone: plan.py), then parses only new and changed files in worker processes
(workers.py), and derives and loads them in path order, whole files per transaction
(batches.py). One build at a time holds the warehouse lock (lock.py).

What a build needs only once it has files to load (DuckDB, Arrow, the stages) is imported after
the workers were started: starting them is the first thing a build with files to read does,
and they import what reading a file needs while this process opens the warehouse and plans. A
few files that look new (the run after a meeting) are read and derived by them in that time,
ahead of the plan, which keeps or drops each (workers.read_ahead)."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, cast

from . import hashes, workers
from .lock import warehouse_lock
from .plan import Plan, files_newer_than, plan, scan, shown, sources
from .summary import Summary

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger(__name__)

FEW_FILES = 8  # a build loading this many files or fewer runs its statements on one thread (connection.few_rows)


def run(raw: Path, db_path: Path, out_dir: Path, strict: bool = False, prune: bool = False,
        jobs: int | None = None, guard: workers.Guard = workers.Guard(), retry_failed: bool = False,
        wait: float = 0.0, on_file: Callable[[int, int, workers.Outcome], None] | None = None,
        from_extracted: bool = False, on_page: Callable[[str, int, int], None] | None = None) -> Summary:
    """`from_extracted`: files whose stage file is under `out_dir` are loaded from it instead of
    being read and parsed again (the others are parsed). `on_file(n, total, outcome)` as each file
    is loaded; `on_page(path, page, pages)` as a page of a scanned file starts to be read by OCR
    (from a thread)."""
    started = time.perf_counter()
    summary = Summary()
    with warehouse_lock(db_path, wait):
        jobs = workers.default_jobs() if jobs is None else jobs
        pages = workers.PageProgress(on_page) if on_page else None
        # workers start while the warehouse opens and the plan is made, when files look new
        t = time.perf_counter()
        entries = scan(raw)
        readable = sources(raw, entries)
        looks_new = [] if from_extracted else files_newer_than(raw, db_path, entries, readable)
        early = min(jobs, len(looks_new))
        summary.add_time("plan", time.perf_counter() - t)
        pool = workers.start_pool(early, guard, pages) if early else None
        # as many files as workers (the run after a meeting): read while the warehouse opens and
        # the plan is made, and used if the plan wants them
        ahead = workers.read_ahead(pool, looks_new, raw) if pool is not None and len(looks_new) <= early else {}
        if pages is not None:
            pages.start()
        con = None
        try:
            from ..warehouse import connection, load
            from .batches import Loader, load_language_tools, record_failure

            con = load.connect(db_path, reference_data=False)  # refreshed after the files: the workers wait less
            t = time.perf_counter()
            known = hashes.read(db_path)
            p = plan(raw, con, retry_failed, guard.seconds, entries, known, readable)
            hashes.write(db_path, known)
            summary.add_time("plan", time.perf_counter() - t)
            _apply_plan_facts(con, p, summary, prune)
            for path, reason in p.unreadable:
                record_failure(con, summary, path, None, reason, strict)
            todo = p.todo
            stored = _stored(todo, raw, out_dir, p) if from_extracted else {}
            to_parse = [path for path in todo if path not in stored]
            workers_n = min(jobs, len(to_parse)) if jobs else 0
            if pool is not None and (early < workers_n or not set(ahead) <= set(to_parse)):
                # more to read than the early start expected, or files read ahead that the plan
                # does not want (touched, same content): a pool of the right size, no work for nothing
                if ahead:
                    pool.discard()
                else:
                    pool.shutdown(wait=False, cancel_futures=True)
                pool, ahead = None, {}
            connection.few_rows(con, 0 < len(todo) <= FEW_FILES)
            # derive's tools, loaded while the workers read, unless every file was read (and derived) ahead
            tools = load_language_tools() if workers_n and not set(to_parse) <= set(ahead) else None
            loader = Loader(con, summary, p, strict, tools, on_file, len(todo))
            outcomes = workers.parse_files(to_parse, raw, out_dir, workers_n, guard, p.sha, pool=pool, pages=pages,
                                           spent=p.spent, ready=ahead)
            parsed = workers.collected(outcomes) if workers_n else outcomes
            try:
                for path in todo:  # in path order, stored or parsed
                    loader.take(stored[path] if path in stored else next(parsed))
                # the workers end while the last batch is loaded and merged: the pool is shut down
                # by the thread collecting outcomes, and only waited for at the end
                loader.flush()  # the last batch
                _merge_copies(con, summary)
                load.refresh_reference_data(con)
                connection.few_rows(con, False)  # the index's upkeep may rewrite all of it
                t = time.perf_counter()
                if load.sort_search_terms(con):
                    summary.add_time("sort_search", time.perf_counter() - t)
                for _ in parsed:  # nothing is left: run to the end, which shuts the workers down
                    pass
            finally:  # a build stopped early (--strict, a fault of the machine): the workers end now
                cast(Generator[workers.Outcome, None, None], parsed).close()
        finally:
            if pool is not None:  # parse_files shuts it down; this is for a build stopped before it ran
                pool.shutdown(wait=True, cancel_futures=True)
            if con is not None:
                con.close()
            if pages is not None:
                pages.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _stored(todo: list[Path], raw: Path, out_dir: Path, p: Plan) -> dict[Path, workers.Outcome]:
    """Outcomes of the files whose stage files are under out_dir, read from those files."""
    from .. import extract

    out = {}
    for path in todo:
        t = time.perf_counter()
        ex = extract.read_stage_output(out_dir, path, raw, p.sha[path])
        if ex is not None:
            out[path] = workers.Outcome(path, ex, ex.source.pages, None, {"read_extracted": time.perf_counter() - t})
    return out


def _merge_copies(con: duckdb.DuckDBPyConnection, summary: Summary) -> None:
    """The logical documents of the groups whose files changed (or that a killed build left), then
    the warehouse's totals for the summary."""
    from ..warehouse import merge

    t = time.perf_counter()
    if merge.pending(con):
        merge.run(con)
        summary.add_time("merge", time.perf_counter() - t)
    summary.count_warehouse(con)


def _apply_plan_facts(con: duckdb.DuckDBPyConnection, p: Plan, summary: Summary, prune: bool) -> None:
    from ..warehouse import load

    summary.files = len(p.sha) + len(p.unreadable)
    summary.skipped = len(p.unchanged)
    summary.failed_before = len(p.failed_before)
    summary.duplicates = len(p.duplicates)
    summary.renamed = len(p.renamed)
    summary.gone = len(p.gone)
    summary.skipped_files = [{"path": shown(path), "reason": reason} for path, reason in p.skipped]
    for path, reason in p.skipped:
        log.warning("%s: %s", shown(path), reason)
    load.rename_files(con, [(sha, str(new)) for _, new, sha in p.renamed])
    for old, new, _ in p.renamed:
        log.info("%s: renamed from %s", new, old)
    for path, other in p.duplicates:
        log.info("%s: same content as %s, skipped", path, other)
    for loaded, sha in p.gone:
        if prune:
            load.remove_file(con, sha)
            summary.pruned += 1
            log.info("%s: gone from raw/, pruned", loaded)
        else:
            log.warning("%s: gone from raw/ (kept; --prune removes it)", loaded)


