"""Parsing files in worker processes, with a time and memory guard per file.

`parse_files` yields one Outcome per path, in the order given, whatever order the workers finish
in, so a parallel build loads exactly what a single-process build loads. A file that makes its
worker die (a crash in the PDF library, the hard time limit, memory exhausted) is isolated: the
files that were in flight with it are re-run one at a time, the culprit gets a failed Outcome and
the rest of the batch goes on in a fresh pool."""
from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import multiprocessing
import os
import queue
import resource
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, cast

from .. import lazy
from ..errors import environment_fault, reason_of
from ..models import Extraction

if TYPE_CHECKING:
    from .. import extract
    from ..read import ocr
else:  # imported by the workers, which read files; the build process only names them
    extract = lazy.module("pipeline.extract")
    ocr = lazy.module("pipeline.read.ocr")


@dataclass(frozen=True)
class Guard:
    seconds: float = 120.0  # per file; the worker is killed at 1.5x if stuck inside C code
    memory_mb: int = 2048  # address-space limit of a worker process


@dataclass
class Outcome:
    path: Path
    extraction: Extraction | None = None
    pages: int = 0
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    environment: bool = False  # the error is the machine's (disk full, permissions), not the file's


def parse_one(path: Path, raw: Path | None, out_dir: Path | None, sha256: str | None = None) -> Outcome:
    """All extraction stages for one file, stage outputs written under out_dir; never raises."""
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        ex, pages = extract.run(path, raw, times, sha256)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a recorded reason
        return Outcome(path, error=reason_of(exc), seconds={"failed": time.perf_counter() - t0})
    t3 = time.perf_counter()
    try:
        if out_dir is not None:
            extract.write_stage_outputs(out_dir, ex, pages)
    except Exception as exc:  # noqa: BLE001 - the stage files could not be written: the machine's fault
        fault = environment_fault(exc)
        return Outcome(path, error=f"cannot write the stage files under {out_dir} ({fault or reason_of(exc)})",
                       seconds={"failed": time.perf_counter() - t0}, environment=fault is not None)
    times["write"] = time.perf_counter() - t3
    return Outcome(path, ex, len(pages), None, times)


class PageProgress:
    """Pages read by OCR in the workers, reported in this process: `callback(path, page, pages)`
    is called by a thread as each page starts (the workers put them on a queue)."""

    def __init__(self, callback: Callable[[str, int, int], None]) -> None:
        self.callback = callback
        self.queue: Any = multiprocessing.get_context("spawn").SimpleQueue()
        self.thread = threading.Thread(target=self._drain, name="ocr-pages", daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while (item := self.queue.get()) is not None:
            with contextlib.suppress(Exception):  # a progress display must not stop a build
                self.callback(*item)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()


# --- worker side -------------------------------------------------------------------------------

_GUARD = Guard()
_PAGES: Any = None  # the PageProgress queue, in a worker
_OCR_PAGE = ""  # the page being read by OCR, named in a time-out


def _on_alarm(signum: int, frame: FrameType | None) -> NoReturn:
    where = f" ({_OCR_PAGE})" if _OCR_PAGE else ""
    raise TimeoutError(f"time limit of {_GUARD.seconds:.0f} s exceeded while reading the file{where}")


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """A worker ends when the build process ends, however it ends (SIGKILL included): otherwise
    workers orphaned by a killed build read on for ever and hold its output pipe open (`minutes
    build | cat` would never end). On Linux the kernel sends SIGKILL at the parent's death (sent
    when the thread that started the worker ends: the pools are started by the build's main thread
    or its outcomes thread, which outlives them); everywhere a watchdog thread checks that the
    parent is still the one that started the worker."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _init_worker(guard: Guard, pages: Any = None, parent: int | None = None) -> None:
    global _GUARD, _PAGES
    _GUARD, _PAGES = guard, pages
    if parent is not None:
        _die_with_parent(parent)
    limit = guard.memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _started() -> None:
    """A first task: it makes the pool start its workers, which import the stages, now."""
    extract.run, ocr.set_progress  # noqa: B018 - the stages' code is loaded on first use


def _arm() -> None:
    # soft limit: an exception in Python code; hard limit: the process ends even inside C code
    faulthandler.dump_traceback_later(_GUARD.seconds * 1.5 + 1, exit=True, file=sys.stderr)
    signal.setitimer(signal.ITIMER_REAL, _GUARD.seconds)


def _ocr_page(path: Path, page: int, pages: int) -> None:
    """A page about to be read by OCR gets the time limit of a file, and is reported."""
    global _OCR_PAGE
    _OCR_PAGE = f"OCR of page {page} of {pages}"
    _arm()
    if _PAGES is not None:
        _PAGES.put((str(path), page, pages))


def _guarded(path: Path, raw: Path | None, out_dir: Path | None, sha256: str | None) -> Outcome:
    global _OCR_PAGE
    _OCR_PAGE = ""
    ocr.set_progress(partial(_ocr_page, path))
    _arm()
    try:
        return parse_one(path, raw, out_dir, sha256)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        ocr.set_progress(None)


# --- parent side -------------------------------------------------------------------------------

def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _new_pool(jobs: int, guard: Guard, pages: PageProgress | None = None) -> ProcessPoolExecutor:
    ctx = multiprocessing.get_context("spawn")  # workers do not inherit the warehouse connection
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                               initargs=(guard, pages.queue if pages else None, os.getpid()))


def start_pool(jobs: int, guard: Guard = Guard(), pages: PageProgress | None = None) -> ProcessPoolExecutor:
    """A pool whose workers start now, so that starting them overlaps with whatever the caller
    does before its first file (opening the warehouse, planning)."""
    pool = _new_pool(jobs, guard, pages)
    for _ in range(jobs):
        pool.submit(_started)
    return pool


AHEAD = 16  # files given to each worker ahead of the one being loaded: workers keep reading while the
# build process derives and loads (and while it loads its language tools at the start)

DIED = "the worker reading this file died (hard time limit, memory exhausted or a crash in the PDF library)"


def parse_files(paths: list[Path], raw: Path, out_dir: Path | None, jobs: int,
                guard: Guard = Guard(), shas: dict[Path, str] | None = None,
                pool: ProcessPoolExecutor | None = None, pages: PageProgress | None = None) -> Iterator[Outcome]:
    """Outcomes in the order of `paths`. jobs=0 parses in this process (no guard). `shas`: content
    hashes already computed, so files are not hashed twice. `pool`: one from start_pool, used
    for the first round (and shut down here). `pages`: where pages read by OCR are reported."""
    shas = shas or {}
    if jobs <= 0:
        for p in paths:
            ocr.set_progress(partial(pages.callback, str(p)) if pages else None)
            try:
                yield parse_one(p, raw, out_dir, shas.get(p))
            finally:
                ocr.set_progress(None)
        return
    pending = deque(paths)
    while pending:
        pool = pool or _new_pool(jobs, guard, pages)
        window: deque[tuple[Path, Future[Outcome]]] = deque()
        broken: list[Path] = []
        try:
            while pending or window:
                while pending and len(window) < AHEAD * jobs:
                    try:
                        fut = pool.submit(_guarded, pending[0], raw, out_dir, shas.get(pending[0]))
                    except BrokenProcessPool:
                        break  # a worker died before this file was given to it
                    window.append((pending.popleft(), fut))
                if not window:
                    break  # the pool broke while starting, before it had any file: a new pool
                p, fut = window[0]
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    broken = [q for q, _ in window]
                    break
                window.popleft()
                yield outcome
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
            pool = None
        # isolate: the files in flight when a worker died run alone, each in its own pool
        for p in broken:
            yield _alone(p, raw, out_dir, guard, shas.get(p), pages)
    if pool is not None:  # started for files that turned out to need no reading
        pool.shutdown(wait=True, cancel_futures=True)


COLLECTED = 256  # outcomes collected ahead of the caller (≈ 20 KB each)


def collected(outcomes: Iterator[Outcome], depth: int = COLLECTED) -> Iterator[Outcome]:
    """The same outcomes in the same order, gathered by a thread as the workers finish them:
    the pool is given its next files while the caller is still busy with earlier ones (deriving,
    loading a batch, loading its language tools), so the workers never wait on the caller.
    If the caller stops early, the thread closes `outcomes` (shutting its pool down)."""
    box: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def gather() -> None:
        try:
            for outcome in outcomes:
                while not stop.is_set():
                    try:
                        box.put(outcome, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
            box.put(end)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box.put(exc)
        finally:
            outcomes.close()  # type: ignore[attr-defined]

    thread = threading.Thread(target=gather, name="outcomes", daemon=True)
    thread.start()
    try:
        while (item := box.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield cast(Outcome, item)
    finally:
        stop.set()
        while thread.is_alive():  # unblock a put, then let the thread close the pool
            with contextlib.suppress(queue.Empty):
                box.get(timeout=0.1)
        thread.join()


def _alone(path: Path, raw: Path | None, out_dir: Path | None, guard: Guard, sha256: str | None,
           pages: PageProgress | None = None) -> Outcome:
    pool = _new_pool(1, guard, pages)
    try:
        return pool.submit(_guarded, path, raw, out_dir, sha256).result()
    except BrokenProcessPool:
        return Outcome(path, error=DIED)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def parse_guarded(path: Path, raw: Path | None, guard: Guard = Guard()) -> Outcome:
    """One file parsed in a worker process under the time and memory guard (`minutes extract`): a
    decompression bomb or a crash in the PDF library becomes the outcome's error instead of
    ending the caller."""
    pool = _new_pool(1, guard)
    try:
        return pool.submit(_guarded, path, raw, None, None).result()
    except BrokenProcessPool:
        return Outcome(path, error=DIED)
    finally:
        pool.shutdown(wait=True)
