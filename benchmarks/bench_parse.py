"""Benchmark: processor time per page of the parse stage (reflow, segments, documents, cases).

Each round runs two child processes side by side, this code and the code at --earlier (e.g. an
export of main), so both share the machine's load: each reads every bundled PDF once (ingest and
page lines, not timed), then times `--passes` passes of the parse stage over all of them with the
parser's per-text memories emptied before each pass (a worker reads each file once). The result is
the median of the same-round ratios, since the machine's speed moves under load while a ratio of
runs made side by side holds still.

Writes its section of benchmarks/results.md (the other sections stay).

    python benchmarks/bench_parse.py --earlier PATH [--rounds 5] [--passes 6]
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_build import write_section  # noqa: E402

HEADING = "## Parse stage (`python benchmarks/bench_parse.py`)"


def child(code: Path, passes: int) -> None:
    """Prints the parse stage's processor milliseconds per page of the code at `code`."""
    sys.path.insert(0, str(code))
    from pipeline import extract
    from pipeline.read import ingest, lines
    files = []
    for path in sorted((ROOT / "raw").rglob("*.pdf")):
        source = ingest.run(path, ROOT / "raw")
        pages = lines.run(source)
        files.append((extract.with_page_count(source, pages), pages))
    memories = _memories()
    total, pages_read = 0.0, 0
    for _ in range(passes):
        for memory in memories:
            memory.cache_clear()
        start = time.process_time()
        for source, pages in files:
            extract.pages_to_extraction(source, pages)
        total += time.process_time() - start
        pages_read += sum(len(p) for _, p in files)
    print(total / pages_read * 1000)


def _memories() -> list[Any]:
    """The parser's memories of verdicts per text (not its compiled patterns, kept for a process's life)."""
    import pipeline.parse
    names = ["pipeline.vocab", "pipeline.values"] + [f"pipeline.parse.{m.name}"
                                                     for m in pkgutil.iter_modules(pipeline.parse.__path__)]
    found = {id(f): f for name in names for f in vars(importlib.import_module(name)).values()
             if hasattr(f, "cache_parameters") and (f.cache_parameters()["maxsize"] or 0) >= 1024}
    return list(found.values())


def round_of(earlier: Path, passes: int) -> tuple[float, float]:
    """(this code, the earlier code) ms per page, run side by side."""
    procs = [subprocess.Popen([sys.executable, __file__, "--child", str(code), "--passes", str(passes)],
                              stdout=subprocess.PIPE, text=True) for code in (ROOT, earlier)]
    this, before = (float(p.communicate()[0]) for p in procs)
    return this, before


def write_rows(rows: list[tuple[str, str]]) -> None:
    write_section(HEADING, "\n".join([HEADING, "", "| measure | result |", "|---|---|",
                                       *(f"| {a} | {b} |" for a, b in rows)]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--earlier", type=Path, help="a tree of the earlier code (e.g. `git archive main` unpacked)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--passes", type=int, default=6)
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.passes)
        return
    if not args.earlier:
        ap.error("--earlier PATH is required")
    done = [round_of(args.earlier, args.passes) for _ in range(max(1, args.rounds))]
    ratios = [this / before for this, before in done]
    rows = [("rounds", f"{len(done)}, {args.passes} passes each over the bundled PDFs, the two side by side"),
            ("parse stage, this code",
             f"median {statistics.median(t for t, _ in done):.3f} ms of processor time per page"),
            (f"parse stage, the code at {args.earlier}",
             f"median {statistics.median(b for _, b in done):.3f} ms per page"),
            ("this / earlier (median of same-round ratios)",
             f"**{statistics.median(ratios):.2f}x** (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")]
    for a, b in rows:
        print(f"{a}: {b}")
    write_rows(rows)


if __name__ == "__main__":
    main()
