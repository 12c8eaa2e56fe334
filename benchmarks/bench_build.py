"""Benchmark: `minutes build` from empty against two bare text passes over the same PDFs.

Makes a corpus of copies of the bundled PDFs (each copy under its own partnership folder, with a
distinct trailing comment so its content hash differs and nothing is skipped), then, in rounds, runs
as child processes of this one (the same process tree, so they share the machine's load):

  - peer `pypdfium2`: every page's text through pypdfium2 (`get_textpage().get_text_range()`), the
    files spread over 2 processes;
  - peer `pymupdf`: every page's `get_text()` through PyMuPDF, over 2 processes (the `bench` extra);
  - `minutes build` from an empty warehouse (one worker per core).

The order of the three is rotated from round to round. Each figure is end to end (start-up
included) and the result is the median over rounds of the same-round ratio (build pages/s divided by
the peer's), because the machine's speed moves 2-3x under load while a ratio of runs made side by
side holds still. Also printed: processor time per page of each (the process and its children),
the build's milliseconds per page per stage and the machine's load average. With --extras: peak
memory, a no-op re-run, the build of half the corpus and a no-op re-run over 2,000 text files.

Prints a table and writes it to benchmarks/results.md (the sections other benchmarks wrote stay).

    python benchmarks/bench_build.py [--pages 2000] [--rounds 5] [--extras]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"
PEERS = ("pypdfium2", "pymupdf")
EARLIER = ""  # --earlier, for the table


def make_corpus(target: Path, pages_wanted: int) -> tuple[list[Path], int]:
    import pypdfium2 as pdfium
    seeds = sorted(RAW.rglob("*.pdf"))
    counts = {p: len(pdfium.PdfDocument(str(p))) for p in seeds}
    files, pages, k = [], 0, 0
    while pages < pages_wanted:
        folder = target / f"partnerskap{k:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        for seed in seeds:
            dest = folder / f"{seed.stem}-kopi{k:03d}.pdf"
            dest.write_bytes(seed.read_bytes() + f"\n% kopi {k}\n".encode())
            files.append(dest)
            pages += counts[seed]
        k += 1
    return files, pages


def make_text_corpus(target: Path, n_files: int) -> list[Path]:
    """n_files copies of the bundled text documents, each with a distinct last line."""
    seeds = sorted([*RAW.rglob("*.txt"), *RAW.rglob("*.md")])
    files = []
    for k in range(n_files):
        seed = seeds[k % len(seeds)]
        dest = target / f"partnerskap{k // 100:03d}" / f"{seed.stem}-kopi{k:04d}{seed.suffix}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(seed.read_text(encoding="utf-8") + f"\nkopi {k}\n", encoding="utf-8")
        files.append(dest)
    return files


# --- the peers: run as `bench_build.py --peer NAME DIR` in a child process ---------------------------

def _pdfium_pages(path: str) -> int:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(path)
    try:
        for page in pdf:
            text = page.get_textpage()
            text.get_text_range()
            text.close()
            page.close()
        return len(pdf)
    finally:
        pdf.close()


def _mupdf_pages(path: str) -> int:
    import pymupdf
    with pymupdf.open(path) as doc:
        for page in doc:
            page.get_text()
        return len(doc)


def peer_main(name: str, folder: Path, processes: int) -> None:
    """Every page of every PDF under `folder` through the peer, over `processes` processes; prints the
    page count as JSON."""
    from concurrent.futures import ProcessPoolExecutor
    read = {"pypdfium2": _pdfium_pages, "pymupdf": _mupdf_pages}[name]
    files = sorted(str(p) for p in folder.rglob("*.pdf"))
    with ProcessPoolExecutor(processes) as pool:
        pages = sum(pool.map(read, files, chunksize=1))
    print(json.dumps({"pages": pages}))


# --- running children and measuring them ------------------------------------------------------------

def _tree_rss_kb(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(x) for x in f.read().split())
        except (OSError, StopIteration):
            continue
    return total


def _rss_kb(pid: int) -> int:
    """Resident memory of one process (kB), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def watched(cmd: list[str], code: Path = ROOT, sample: bool = False, every: float = 0.05) \
        -> tuple[int, str, float, dict[str, float]]:
    """Runs `cmd` in `code` (a checkout of minutes, first on the import path): its exit code, its
    output, wall seconds and, when `sample`, the peaks (kB) of its process tree ("tree") and of
    its own process ("own"), with the seconds after the start at which its own peaked ("at")."""
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(code), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=code, env=env)
    peaks = {"tree": 0.0, "own": 0.0, "at": 0.0}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            tree, own = _tree_rss_kb(proc.pid), _rss_kb(proc.pid)
            peaks["tree"] = max(peaks["tree"], tree)
            if own > peaks["own"]:
                peaks["own"], peaks["at"] = own, time.perf_counter() - start
            time.sleep(every)

    t = threading.Thread(target=watch, daemon=True)
    if sample:
        t.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    if sample:
        t.join()
    return proc.returncode, out, wall, peaks


def run_child(cmd: list[str], sample_memory: bool = False, code: Path = ROOT) \
        -> tuple[dict[str, Any], float, float, float]:
    """(its JSON output, wall seconds, processor seconds of it and its children, peak resident MiB of
    its process tree when `sample_memory`); run in `code` (a checkout of minutes), with it first on
    the import path."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    _, out, wall, peaks = watched(cmd, code, sample_memory)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return json.loads(out), wall, cpu, peaks["tree"] / 1024


def build_cmd(raw: Path, db: Path, extra: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, "-m", "pipeline", "build", "--raw", str(raw), "--db", str(db),
            "--extracted", str(db.parent / "extracted"), "--json", *extra]


def peer_cmd(name: str, raw: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--peer", name, str(raw)]


def fresh(db: Path) -> None:
    """An empty warehouse and extracted/ again."""
    for p in (db, db.with_name(db.name + ".wal"), db.parent / "extracted"):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def _compiled_reader() -> bool:
    """Is pipeline.read._pdfpage built, from the current source? Without it (or with a build of an
    older source) the PDF pages are read by the slower Python functions."""
    from pipeline.read import pdftext
    return pdftext.compiled is not None


def rounds(raw: Path, db: Path, n: int, earlier: Path | None = None) -> list[dict[str, Any]]:
    """n rounds of (build, pypdfium2, pymupdf[, the build of the code at `earlier`]), the order
    rotated per round; per round each run's pages/s and processor seconds, and the build's summary."""
    names: tuple[str, ...] = ("build", *PEERS, *(("earlier",) if earlier else ()))
    out = []
    for r in range(n):
        order = names[r % len(names):] + names[:r % len(names)]
        got: dict[str, Any] = {"order": order}
        for name in order:
            if name in ("build", "earlier"):
                fresh(db)
                summary, wall, cpu, _ = run_child(build_cmd(raw, db), code=earlier if name == "earlier" else ROOT)
                got["summary" if name == "build" else "earlier_summary"] = summary
            else:
                summary, wall, cpu, _ = run_child(peer_cmd(name, raw))
            got[name] = {"pages": summary["pages"], "wall": wall, "cpu": cpu, "rate": summary["pages"] / wall}
        out.append(got)
        print(f"round {r + 1}: " + ", ".join(f"{k} {got[k]['rate']:.0f} pages/s" for k in order), file=sys.stderr)
    return out


def _median(values: list[float]) -> float:
    return statistics.median(values)


def round_rows(done: list[dict[str, Any]]) -> list[tuple[str, str]]:
    pages = done[0]["build"]["pages"]
    rows = []
    labels = {"build": "minutes build from empty (2 workers)", "earlier": f"the same build by the code at {EARLIER}"}
    for name in ("build", *PEERS, *(("earlier",) if "earlier" in done[0] else ())):
        rates = [d[name]["rate"] for d in done]
        cpu = _median([1000 * d[name]["cpu"] / d[name]["pages"] for d in done])
        label = labels.get(name, f"peer: {name} text, 2 processes")
        rows.append((label, f"median {_median(rates):.0f} pages/s ({min(rates):.0f}–{max(rates):.0f}); "
                            f"processor time {cpu:.2f} ms per page"))
    for peer in (*PEERS, *(("earlier",) if "earlier" in done[0] else ())):
        ratios = [d["build"]["rate"] / d[peer]["rate"] for d in done]
        name = "the earlier code's build" if peer == "earlier" else peer
        rows.append((f"build / {name} (median of same-round ratios)",
                     f"**{_median(ratios):.2f}x** (rounds: " + ", ".join(f"{x:.2f}" for x in ratios) + ")"))
    stages: dict[str, list[float]] = {}
    for d in done:
        for k, v in d["summary"]["stage_seconds"].items():
            stages.setdefault(k, []).append(1000 * v / pages)
    rows.append(("build, ms per page per stage (median; the stage timers are wall clock in each process, so under "
                 "load they stretch with it; workers: ingest, extract_text, parse, write; build process: plan, "
                 "derive, load, merge, sort_search)",
                 ", ".join(f"{k} {_median(v):.2f}" for k, v in sorted(stages.items()))))
    return rows


def extras(work: Path, full_raw: Path, pages_wanted: int, noop_files: int) -> list[tuple[str, str]]:
    db = work / "full" / "m.duckdb"
    fresh(db)
    s, wall, _, peak = run_child(build_cmd(full_raw, db), sample_memory=True)
    noop, noop_wall, _, _ = run_child(build_cmd(full_raw, db))
    half_raw = work / "half" / "raw"
    _, half_pages = make_corpus(half_raw, pages_wanted // 2)
    hs, h_wall, _, h_peak = run_child(build_cmd(half_raw, work / "half" / "m.duckdb"), sample_memory=True)
    many_raw = work / "many" / "raw"
    many = make_text_corpus(many_raw, noop_files)
    _, many_wall, _, _ = run_child(build_cmd(many_raw, work / "many" / "m.duckdb"))
    many_noop, many_noop_wall, _, _ = run_child(build_cmd(many_raw, work / "many" / "m.duckdb"))
    return [
        ("peak memory, build + workers",
         f"{peak:.0f} MiB at {s['pages']} pages ({s['pages'] / wall:.0f} pages/s); {h_peak:.0f} MiB at "
         f"{hs['pages']} pages ({hs['pages'] / h_wall:.0f} pages/s)"),
        ("no-op re-run", f"{noop_wall:.2f} s wall ({noop['seconds']:.2f} s inside the job), "
                         f"{noop['parsed']} files parsed"),
        (f"no-op re-run over {len(many)} text files",
         f"{many_noop_wall:.2f} s wall ({many_noop['seconds']:.2f} s inside the job), {many_noop['parsed']} "
         f"parsed, {many_noop['skipped']} unchanged (first build of them: {many_wall:.0f} s)"),
    ]


def write_results(rows: list[tuple[str, str]]) -> None:
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    text = ("# Benchmark: minutes build vs bare text passes (`python benchmarks/bench_build.py`)\n\n"
            "| measure | result |\n|---|---|\n" + table + "\n")
    results = ROOT / "benchmarks" / "results.md"
    earlier = results.read_text("utf-8") if results.exists() else ""
    if "\n## " in earlier:  # sections other benchmarks wrote (bench_ocr.py) stay
        text += earlier[earlier.index("\n## "):]
    results.write_text(text, encoding="utf-8")


def write_section(heading: str, text: str) -> None:
    """`text` (opening with `heading`, a "## " line) as that section of benchmarks/results.md: in
    place of the section it replaces (up to the next "## "), else at the end; the others stay."""
    results = ROOT / "benchmarks" / "results.md"
    earlier = results.read_text("utf-8") if results.exists() else ""
    section = text.rstrip("\n") + "\n"
    if heading not in earlier:
        results.write_text(earlier.rstrip("\n") + "\n\n" + section, encoding="utf-8")
        return
    head, _, rest = earlier.partition(heading)
    tail = rest[rest.index("\n## ") + 1:] if "\n## " in rest else ""
    results.write_text(head + section + ("\n" + tail if tail else ""), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5, help="Rounds of (build, peers), the order rotated per round.")
    ap.add_argument("--extras", action="store_true",
                    help="Also peak memory, a no-op re-run, half the corpus and a no-op re-run over many files.")
    ap.add_argument("--noop-files", type=int, default=2000, help="Files in the no-op re-run corpus (--extras).")
    ap.add_argument("--no-write", action="store_true", help="Print only; leave benchmarks/results.md as it is.")
    ap.add_argument("--earlier", type=Path, help="A checkout of earlier code (e.g. a git worktree of main): its "
                    "build joins each round, for the speed-up as a same-round ratio.")
    ap.add_argument("--peer", choices=PEERS, help=argparse.SUPPRESS)
    ap.add_argument("folder", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.peer:
        peer_main(args.peer, args.folder, 2)
        return
    work = Path(tempfile.mkdtemp(prefix="minutes-bench-"))
    load_before = os.getloadavg()
    try:
        full_raw = work / "full" / "raw"
        files, pages = make_corpus(full_raw, args.pages)
        global EARLIER
        EARLIER = str(args.earlier)
        done = rounds(full_raw, work / "full" / "m.duckdb", max(1, args.rounds), args.earlier)
        more = extras(work, full_raw, args.pages, args.noop_files) if args.extras else []
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    rows = [
        ("machine", f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, compiled page reader "
                    f"{'built' if _compiled_reader() else 'NOT built (Python fallback)'}; load average "
                    f"(1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after; 5 min {load_after[1]:.1f}"),
        ("corpus", f"{len(files)} PDF files, {pages} pages; {len(done)} rounds, order rotated"),
        *round_rows(done),
        *more,
    ]
    if not args.no_write:
        write_results(rows)
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k.ljust(width)}  {v}")


if __name__ == "__main__":
    main()
