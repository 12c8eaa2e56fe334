"""Benchmark: `minutes build` against the plain pdfplumber pipeline a user would write.

Makes a corpus of copies of the bundled PDFs (each copy under its own partnership folder, with a
distinct trailing comment so its content hash differs and nothing is skipped), then measures on the
same files:

  1. baseline: pdfplumber `extract_text` on every page, nothing else;
  2. `minutes build` from an empty warehouse, --repeat times (the machine's speed varies from minute
     to minute; the median build is reported with the range): pages/s end to end, processor time,
     per-stage seconds, peak memory (resident set of the build and its workers together);
  3. a no-op re-run of `minutes build` over the same corpus;
  4. the same build over half the corpus, to see whether peak memory stays flat as it doubles.

Prints a table and writes it to benchmarks/results.md.

    python benchmarks/bench_build.py [--pages 2000] [--baseline-pages N] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"


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


def baseline(files: list[Path], max_pages: int | None) -> tuple[int, float]:
    pages, start = 0, time.perf_counter()
    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
                page.flush_cache()
        if max_pages and pages >= max_pages:
            break
    return pages, time.perf_counter() - start


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


def _compiled_reader() -> bool:
    """Is pipeline.read._pdfpage built? Without it the PDF pages are read by the slower Python functions."""
    try:
        import pipeline.read._pdfpage  # noqa: F401
    except ImportError:
        return False
    return True


def run_build(raw: Path, db: Path, extra: list[str] = ()) -> tuple[dict, float, float]:
    """(summary, wall seconds, peak resident MiB of the build and its workers); the summary gains
    `cpu_seconds`: processor time of the build and its workers together."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, "-m", "pipeline", "build", "--raw", str(raw), "--db", str(db),
           "--extracted", str(db.parent / "extracted"), "--json", *extra]
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, _ = proc.communicate()
    stop.set()
    t.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = json.loads(out)
    summary["cpu_seconds"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return summary, wall, peak / 1024


def fresh(db: Path) -> None:
    """An empty warehouse and extracted/ again."""
    for p in (db, db.with_name(db.name + ".wal"), db.parent / "extracted"):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--noop-files", type=int, default=2000, help="Files in the no-op re-run corpus.")
    ap.add_argument("--baseline-pages", type=int, default=None,
                    help="Stop the pdfplumber baseline after this many pages (default: all).")
    ap.add_argument("--repeat", type=int, default=3,
                    help="Builds from empty over the full corpus; the median one is reported, with the range.")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="minutes-bench-"))
    try:
        full_raw, half_raw = work / "full" / "raw", work / "half" / "raw"
        files, pages = make_corpus(full_raw, args.pages)
        half_files, half_pages = make_corpus(half_raw, args.pages // 2)
        b_pages, b_secs = baseline(files, args.baseline_pages)
        runs = []
        for _ in range(max(1, args.repeat)):
            fresh(work / "full" / "m.duckdb")
            runs.append(run_build(full_raw, work / "full" / "m.duckdb"))
        walls = sorted(r[1] for r in runs)
        s, wall, peak = sorted(runs, key=lambda r: r[1])[len(runs) // 2]
        noop, noop_wall, _ = run_build(full_raw, work / "full" / "m.duckdb")
        hs, h_wall, h_peak = run_build(half_raw, work / "half" / "m.duckdb")
        many_raw = work / "many" / "raw"
        many = make_text_corpus(many_raw, args.noop_files)
        many_first, many_wall, _ = run_build(many_raw, work / "many" / "m.duckdb")
        many_noop, many_noop_wall, _ = run_build(many_raw, work / "many" / "m.duckdb")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base_rate = b_pages / b_secs
    rate = s["pages"] / wall
    stages = ", ".join(f"{k} {v:.1f}" for k, v in sorted(s["stage_seconds"].items()))
    rows = [
        ("machine", f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, "
                    f"compiled page reader {'built' if _compiled_reader() else 'NOT built (Python fallback)'}"),
        ("corpus", f"{len(files)} PDF files, {pages} pages (half corpus: {len(half_files)} files, {half_pages} pages)"),
        ("baseline: pdfplumber extract_text", f"{b_pages} pages in {b_secs:.1f} s = {base_rate:.1f} pages/s"),
        ("minutes build from empty (median of the builds)", f"{s['pages']} pages in {wall:.1f} s = {rate:.1f} pages/s "
                                     f"({s['failed']} failed); {len(runs)} builds: "
                                     + ", ".join(f"{w:.1f} s" for w in walls)
                                     + f" = {s['pages'] / walls[-1]:.0f}–{s['pages'] / walls[0]:.0f} pages/s"),
        ("processor time of that build (build process + workers)",
         f"{s['cpu_seconds']:.1f} s = {1000 * s['cpu_seconds'] / s['pages']:.1f} ms per page"),
        ("per-stage seconds (ingest, extract_text, parse, write summed over workers; "
         "plan, derive, load, sort_search in the build process)", stages),
        ("peak memory, build + workers",
         f"{peak:.0f} MiB (half corpus: {h_peak:.0f} MiB, {hs['pages'] / h_wall:.1f} pages/s)"),
        ("no-op re-run", f"{noop_wall:.2f} s wall ({noop['seconds']:.2f} s inside the job), "
                         f"{noop['parsed']} files parsed"),
        (f"no-op re-run over {len(many)} files",
         f"{many_noop_wall:.2f} s wall ({many_noop['seconds']:.2f} s inside the job), {many_noop['parsed']} parsed, "
         f"{many_noop['skipped']} unchanged (first build of them: {many_wall:.0f} s)"),
        ("minutes build / baseline", f"{rate / base_rate:.1f}x"),
    ]
    width = max(len(k) for k, _ in rows)
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    text = "# Benchmark: minutes build vs plain pdfplumber\n\n| measure | result |\n|---|---|\n" + table + "\n"
    results = ROOT / "benchmarks" / "results.md"
    earlier = results.read_text("utf-8") if results.exists() else ""
    if "\n## " in earlier:  # sections other benchmarks wrote (bench_ocr.py) stay
        text += earlier[earlier.index("\n## "):]
    results.write_text(text, encoding="utf-8")
    for k, v in rows:
        print(f"{k.ljust(width)}  {v}")


if __name__ == "__main__":
    main()
