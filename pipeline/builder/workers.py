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
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar, cast

from .. import lazy, stagefiles
from ..errors import environment_fault, reason_of
from ..models import Extraction
from ..read import ingest

if TYPE_CHECKING:
    from .. import extract
    from ..derive import Frames
    from ..read import ocr
else:  # imported by the workers, which read files; the build process only names them
    extract = lazy.module("pipeline.extract")
    ocr = lazy.module("pipeline.read.ocr")


_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Guard:
    seconds: float = ingest.FILE_SECONDS  # per file, hashing included; the worker is killed at 1.5x if stuck in C
    memory_mb: int = 2048  # address-space limit of a worker process


@dataclass
class Outcome:
    path: Path
    extraction: Extraction | None = None
    pages: int = 0
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    environment: bool = False  # the error is the machine's (disk full, permissions), not the file's
    stage_files: dict[str, bytes] | None = None  # of a file read ahead of the plan: written if the build keeps it
    frames: Frames | None = None  # its warehouse rows, derived by the worker (read ahead: derive.frames)


def parse_one(path: Path, raw: Path | None, out_dir: Path | None, sha256: str | None = None,
              keep: bool = False) -> Outcome:
    """All extraction stages for one file, stage outputs written under out_dir; never raises.
    `keep` (a file read ahead of the plan): the stage files are kept in the outcome instead, for the
    build process to write, with the file's warehouse rows (derived here, on the worker's core,
    while the build process opens the warehouse; a failure to derive is left to the build process)."""
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        ex, pages = extract.run(path, raw, times, sha256)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a recorded reason
        return Outcome(path, error=reason_of(exc), seconds={"failed": time.perf_counter() - t0})
    t3 = time.perf_counter()
    if keep:
        files = extract.stage_files(ex, pages)
        t4 = time.perf_counter()
        times["write"] = t4 - t3
        # imported here, not as a lazy module: the build process imports derive itself while a
        # thread of its pool unpickles an outcome's rows (their classes are derive's), and a lazy
        # module loaded by two threads at once is seen half made
        from .. import derive

        try:
            frames: Frames | None = derive.frames(ex)
        except Exception:  # noqa: BLE001 - the build process derives again and records the reason
            frames = None
        times["derive"] = time.perf_counter() - t4
        return Outcome(path, ex, len(pages), None, times, stage_files=files, frames=frames)
    try:
        if out_dir is not None:
            extract.write_stage_outputs(out_dir, ex, pages)
    except Exception as exc:  # noqa: BLE001 - the stage files could not be written: the machine's fault
        return _unwritten(path, out_dir, exc, t0)
    times["write"] = time.perf_counter() - t3
    return Outcome(path, ex, len(pages), None, times)


def _unwritten(path: Path, out_dir: Path | None, exc: Exception, t0: float) -> Outcome:
    fault = environment_fault(exc)
    return Outcome(path, error=f"cannot write the stage files under {out_dir} ({fault or reason_of(exc)})",
                   seconds={"failed": time.perf_counter() - t0}, environment=fault is not None)


def _write_kept(outcome: Outcome, out_dir: Path | None) -> Outcome:
    """The stage files of a file read ahead of the plan, written now that the build keeps it (as
    the worker would have written them: a failure to write is the machine's, the file not loaded)."""
    files, outcome.stage_files = outcome.stage_files, None
    if out_dir is None or not files:
        return outcome
    t = time.perf_counter()
    try:
        stagefiles.write(out_dir, files)
    except Exception as exc:  # noqa: BLE001 - as in parse_one
        return _unwritten(outcome.path, out_dir, exc, t)
    outcome.seconds["write"] = outcome.seconds.get("write", 0.0) + time.perf_counter() - t
    return outcome


class PageProgress:
    """Pages read by OCR in the workers, reported in this process: `callback(path, page, pages)`
    is called by a thread as each page starts (the workers put them on a queue)."""

    def __init__(self, callback: Callable[[str, int, int], None]) -> None:
        self.callback = callback
        self.queue: Any = multiprocessing.get_context("spawn").SimpleQueue()
        self.thread = threading.Thread(target=self._drain, name="ocr-pages", daemon=True)

    def start(self) -> None:
        """The reporting thread; started after an early pool was forked (start_pool)."""
        self.thread.start()

    def _drain(self) -> None:
        while (item := self.queue.get()) is not None:
            with contextlib.suppress(Exception):  # a progress display must not stop a build
                self.callback(*item)

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()


# --- worker side -------------------------------------------------------------------------------

_GUARD = Guard()
_PAGES: Any = None  # the PageProgress queue, in a worker
_OCR_PAGE = ""  # the page being read by OCR, named in a time-out
_BEATS: Any = None  # the pool's shared deadlines, one slot per worker (see Watchdog)
_SLOT = 0


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


def _init_worker(guard: Guard, pages: Any = None, parent: int | None = None, beats: Any = None,
                 owners: Any = None) -> None:
    global _GUARD, _PAGES, _BEATS, _SLOT
    _GUARD, _PAGES = guard, pages
    if beats is not None and owners is not None:
        _SLOT, _BEATS = _claim_slot(owners), beats
    if parent is not None:
        _die_with_parent(parent)
    limit = guard.memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C


def _started() -> None:
    """A first task: it makes the pool start its workers, which import the stages and compile
    their patterns now."""
    ocr.set_progress  # noqa: B018 - the stages' code is loaded on first use
    extract.prepare()


def _arm(spent: float = 0.0) -> None:
    """The file's time limit, less `spent` (seconds its hashing took in the build process)."""
    # soft limit: an exception in Python code; hard limit: the process ends even inside C code
    soft = max(_GUARD.seconds - spent, 1.0)
    hard = _hard_limit(_GUARD) - spent
    faulthandler.dump_traceback_later(max(hard, soft + 1), exit=True, file=sys.stderr)
    signal.setitimer(signal.ITIMER_REAL, soft)
    _beat(time.monotonic() + max(hard, soft + 1))


def _claim_slot(owners: Any) -> int:
    """This worker's slot in the pool's shared arrays: the first free one, kept if no other worker
    wrote over it at the same moment. No lock (a named semaphore would outlive a killed build); two
    workers that still end up sharing a slot only make the watchdog miss an overrun, never invent
    one (/proc still shows a stopped worker)."""
    me = os.getpid()
    for i in range(len(owners)):
        if owners[i] == 0:
            owners[i] = me
            time.sleep(0.001)
            if owners[i] == me:
                return i
    return me % len(owners)


def _hard_limit(guard: Guard) -> float:
    return guard.seconds * 1.5 + 1


def _beat(deadline: float) -> None:
    """Tell the build process when this worker will have ended its file at the latest (0: idle)."""
    if _BEATS is not None:
        _BEATS[_SLOT] = deadline


def _ocr_page(path: Path, page: int, pages: int) -> None:
    """A page about to be read by OCR gets the time limit of a file, and is reported."""
    global _OCR_PAGE
    _OCR_PAGE = f"OCR of page {page} of {pages}"
    _arm()
    if _PAGES is not None:
        _PAGES.put((str(path), page, pages))


def _guarded(path: Path, raw: Path | None, out_dir: Path | None, sha256: str | None,
             spent: float = 0.0, keep: bool = False) -> Outcome:
    global _OCR_PAGE
    _OCR_PAGE = ""
    ocr.set_progress(partial(_ocr_page, path))
    _arm(spent)
    try:
        return parse_one(path, raw, out_dir, sha256, keep)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        ocr.set_progress(None)
        _beat(0.0)


# --- parent side -------------------------------------------------------------------------------

def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


GRACE = 5.0  # seconds a worker may be stopped, or overrun its hard limit, before it is killed
STOPPED = "the worker reading this file stopped answering (stopped or frozen) and was killed"


class GuardedPool(ProcessPoolExecutor):
    """A pool of workers watched by a thread: a worker that stops answering, because it was
    stopped (SIGSTOP, a debugger) or frozen, is killed with all of its pool, which then breaks like
    a pool whose worker crashed (the files in flight are read again, one at a time). A worker is
    not answering when it is stopped for GRACE seconds (Linux: its state in /proc) or is still
    reading a file GRACE seconds after the hard limit that should have ended it."""

    def __init__(self, jobs: int, guard: Guard, pages: PageProgress | None = None, fork: bool = False) -> None:
        # spawned workers inherit nothing (a warehouse connection, threads' locks); forked ones
        # (start_pool) skip starting Python and importing what this process already has
        ctx = multiprocessing.get_context("fork" if fork else "spawn")
        beats: Any = ctx.RawArray("d", jobs)  # when each worker's file must have ended (0: idle)
        owners: Any = ctx.RawArray("q", jobs)  # the worker (pid) of each slot
        super().__init__(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                         initargs=(guard, pages.queue if pages else None, os.getpid(), beats, owners))
        self._watch = _Watch(getattr(self, "_processes", {}), beats)
        self._watching = False

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        future = super().submit(fn, *args, **kwargs)
        if not self._watching:  # after the first submit: a forked pool's workers exist, without this thread
            self._watching = True
            # the thread holds what it watches, not the pool, so a pool dropped by its caller is collected
            threading.Thread(target=self._watch.run, name="worker-watchdog", daemon=True).start()
        return future

    def discard(self) -> None:
        """The workers killed where they are (reading files no longer wanted), the pool shut down."""
        _kill(list(getattr(self, "_processes", {}).values()))
        self.shutdown(wait=True, cancel_futures=True)

    @property
    def killed(self) -> str | None:
        """Why the watchdog killed the workers, if it did."""
        return self._watch.killed

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        try:
            super().shutdown(wait=wait, cancel_futures=cancel_futures)
        finally:
            self._watch.done.set()  # the watchdog goes on until the last worker has ended


class _Watch:
    def __init__(self, processes: dict[int, Any], beats: Any) -> None:
        self.processes = processes  # the pool's own dict of its workers
        self.beats = beats
        self.done = threading.Event()
        self.killed: str | None = None

    def run(self) -> None:
        known: dict[int, Any] = {}  # every worker seen; the pool empties its dict at shutdown
        stopped_since: dict[int, float] = {}
        last = time.monotonic()
        while True:
            time.sleep(1.0)
            known.update(self.processes)
            procs = [p for p in known.values() if p.is_alive()]
            if self.done.is_set() and not procs:
                return
            now = time.monotonic()
            paused = now - last > 3.0  # this process was stopped itself (Ctrl-Z), its workers too
            if paused:
                stopped_since.clear()
            last = now
            stopped = {p.pid for p in procs if p.pid is not None and _is_stopped(p.pid)}
            stopped_since = {pid: stopped_since.get(pid, now) for pid in stopped}
            overdue = not paused and any(0 < float(d) < now - GRACE for d in self.beats)
            if overdue or any(now - t >= GRACE for t in stopped_since.values()):
                self.killed = STOPPED
                _kill(procs)
                for i in range(len(self.beats)):
                    self.beats[i] = 0.0


def _kill(procs: list[Any]) -> None:
    for p in procs:
        with contextlib.suppress(OSError, AttributeError):
            p.kill()  # SIGKILL ends a stopped process too


def _is_stopped(pid: int) -> bool:
    """Whether a process is stopped (SIGSTOP, SIGTSTP) or stopped by a tracer; False where /proc
    cannot tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in (b"T", b"t")


_CAN_FORK = sys.platform.startswith("linux")  # elsewhere fork is unsafe (macOS) or absent (Windows)
# libraries whose state a forked child cannot use (PDFium aborts, a DuckDB connection is shared)
_NOT_FORKED = ("duckdb", "pypdfium2", "pypdfium2_raw", "tesserocr", "pipeline.read._pdfpage")


def _fork_safe() -> bool:
    """Whether this process can fork its workers: no other thread (its locks would stay held in
    the child) and none of the libraries that hold state a child cannot share. The `minutes`
    command is in that state when a build starts its workers; a program that read files or
    opened a warehouse before calling the build gets spawned workers."""
    return (_CAN_FORK and threading.active_count() == 1
            and not any(name in sys.modules for name in _NOT_FORKED))


def _new_pool(jobs: int, guard: Guard, pages: PageProgress | None = None, fork: bool = False) -> GuardedPool:
    return GuardedPool(jobs, guard, pages, fork)


def start_pool(jobs: int, guard: Guard = Guard(), pages: PageProgress | None = None) -> GuardedPool:
    """A pool whose workers start now, so that starting them overlaps with whatever the caller
    does before its first file (opening the warehouse, planning). Where the system allows, the
    workers are forked (Python's start-up and the imports done so far, 0.05-0.1 s, are not made
    again): call it before the process opens the warehouse or starts a thread (`pages` is started
    after it)."""
    pool = _new_pool(jobs, guard, pages, fork=_fork_safe())
    for _ in range(jobs):
        pool.submit(_started)
    return pool


def read_ahead(pool: ProcessPoolExecutor, paths: list[Path], raw: Path) -> dict[Path, Future[Outcome]]:
    """Files given to the pool before the plan says whether they are to be read: the run after a
    meeting reads its new file while the warehouse opens and the plan is made. Their stage files
    stay in the outcome, written by parse_files (`ready`) if the plan wants the file; a file it
    does not want leaves no trace."""
    return {p: pool.submit(_guarded, p, raw, None, None, 0.0, True) for p in paths}


AHEAD = 16  # files given to each worker ahead of the one being loaded: workers keep reading while the
# build process derives and loads (and while it loads its language tools at the start)

DIED = "the worker reading this file died (hard time limit, memory exhausted or a crash in the PDF library)"


def parse_files(paths: list[Path], raw: Path, out_dir: Path | None, jobs: int,
                guard: Guard = Guard(), shas: dict[Path, str] | None = None,
                pool: ProcessPoolExecutor | None = None, pages: PageProgress | None = None,
                spent: dict[Path, float] | None = None,
                ready: dict[Path, Future[Outcome]] | None = None) -> Iterator[Outcome]:
    """Outcomes in the order of `paths`. jobs=0 parses in this process (no guard). `shas`: content
    hashes already computed, so files are not hashed twice. `pool`: one from start_pool, used
    for the first round (and shut down here). `pages`: where pages read by OCR are reported.
    `spent`: seconds of a file's time limit its hashing already took. `ready`: files `pool` was
    given ahead (read_ahead), not given again."""
    shas = shas or {}
    spent = spent or {}
    ready = dict(ready or {})
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
                    fut = ready.pop(pending[0], None)
                    if fut is None:
                        try:
                            fut = pool.submit(_guarded, pending[0], raw, out_dir, shas.get(pending[0]),
                                              spent.get(pending[0], 0.0))
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
                if outcome.stage_files is not None:
                    outcome = _kept(outcome, raw, out_dir, guard, shas.get(p), pages, spent.get(p, 0.0))
                yield outcome
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
            pool = None
        # isolate: the files in flight when a worker died run alone, each in its own pool
        for p in broken:
            yield _alone(p, raw, out_dir, guard, shas.get(p), pages, spent.get(p, 0.0))
    if pool is not None:  # started for files that turned out to need no reading
        pool.shutdown(wait=True, cancel_futures=True)


def _kept(outcome: Outcome, raw: Path, out_dir: Path | None, guard: Guard, sha256: str | None,
          pages: PageProgress | None, spent: float) -> Outcome:
    """A file read ahead of the plan: read again if the plan hashed other content (the file
    changed in between), else its stage files written."""
    assert outcome.extraction is not None
    if sha256 is not None and outcome.extraction.source.sha256 != sha256:
        return _alone(outcome.path, raw, out_dir, guard, sha256, pages, spent)
    return _write_kept(outcome, out_dir)


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
           pages: PageProgress | None = None, spent: float = 0.0) -> Outcome:
    pool = _new_pool(1, guard, pages)
    try:
        return pool.submit(_guarded, path, raw, out_dir, sha256, spent).result()
    except BrokenProcessPool:
        return Outcome(path, error=pool.killed or DIED)
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
        return Outcome(path, error=pool.killed or DIED)
    finally:
        pool.shutdown(wait=True)
