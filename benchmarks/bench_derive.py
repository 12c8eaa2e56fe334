"""Benchmark: what the build process does per parsed file before the merge, derive (warehouse rows)
and load (batches of 64 files into a new DuckDB warehouse), in processor milliseconds per page.

The bundled PDFs are parsed once (builder.workers.parse_one), then copied in memory until the pages
wanted are reached, each copy with its own content hash, partnership and path (as bench_build.py's
corpus on disk), and derived and loaded as a build does: batch by batch, the rows dropped once loaded.
Run in child processes, in rounds with the order rotated, for this checkout and, with --compare, an
earlier one; the result is the median of same-round ratios.

    python benchmarks/bench_derive.py [--compare OTHER_CHECKOUT] [--pages 2000] [--rounds 4]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_build import write_section  # noqa: E402

SECTION = "## Derive and load in the build process (`python benchmarks/bench_derive.py`)"


def child(code: Path, pages_wanted: int) -> dict[str, float]:
    """Processor ms/page of derive and load by the code at `code` (run in its own process)."""
    import dataclasses
    import tempfile
    import time
    sys.path.insert(0, str(code))
    from pipeline import derive, lazy, nlp, vocab
    from pipeline.builder.workers import parse_one
    from pipeline.warehouse import load
    refusal = lazy.refused("pandas")  # as in `minutes build`: Arrow does not look for pandas
    refusal.__enter__()
    raw = code / "raw"
    parsed = [parse_one(p, raw, None) for p in sorted(raw.rglob("*.pdf"))]
    items, pages, k = [], 0, 0
    while pages < pages_wanted:
        for o in parsed:
            assert o.extraction is not None
            src = o.extraction.source
            copy = dataclasses.replace(src, sha256=f"{k:04d}{src.sha256[4:]}", partnership=f"p{k:03d}",
                                       path=f"p{k:03d}/{src.path}")
            items.append(dataclasses.replace(o.extraction, source=copy))
            pages += o.pages
        k += 1
    vocab.load()
    nlp.matchers()
    derive_s = load_s = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        con = load.connect(Path(tmp) / "w.duckdb", reference_data=False)
        for i in range(0, len(items), 64):
            batch = items[i:i + 64]
            t = time.process_time()
            rows = [derive.frames(ex) for ex in batch]
            derive_s += time.process_time() - t
            t = time.process_time()
            load.run_many(con, [(ex, None, r) for ex, r in zip(batch, rows, strict=True)])
            load_s += time.process_time() - t
        con.close()
    return {"pages": pages, "derive": 1000 * derive_s / pages, "load": 1000 * load_s / pages}


def measure(code: Path, pages: int) -> dict[str, float]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(code), "--pages", str(pages)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare", type=Path, help="An earlier checkout, measured in the same rounds.")
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--no-write", action="store_true", help="Print only; leave benchmarks/results.md as it is.")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.pages)))
        return
    codes = [("this", ROOT)] + ([("before", args.compare.resolve())] if args.compare else [])
    lines = [SECTION, "", f"Processor ms per page, {args.rounds} rounds, order rotated; medians "
             "(of same-round ratios for this / before).", "",
             "| corpus | code | derive | load | derive + load | this / before (rounds) |", "|---|---|---|---|---|---|"]
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in codes}
    for r in range(args.rounds):
        for label, code in codes[r % len(codes):] + codes[:r % len(codes)]:
            runs[label].append(measure(code, args.pages))
    for label, _ in codes:
        got = runs[label]
        ratio = ""
        if label == "this" and len(codes) == 2:
            ratios = [(a["derive"] + a["load"]) / (b["derive"] + b["load"])
                      for a, b in zip(got, runs["before"], strict=True)]
            ratio = f"**{statistics.median(ratios):.2f}x** ({', '.join(f'{x:.2f}' for x in ratios)})"
        lines.append(f"| copies of raw/'s PDFs, {got[0]['pages']:.0f} pages | {label} | "
                     f"{statistics.median(g['derive'] for g in got):.3f} | "
                     f"{statistics.median(g['load'] for g in got):.3f} | "
                     f"{statistics.median(g['derive'] + g['load'] for g in got):.3f} | {ratio} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.no_write:
        return
    write_section(SECTION, text)


if __name__ == "__main__":
    main()
