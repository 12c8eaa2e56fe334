"""Benchmark: reading PDF pages into lines (`lines.pdf_pages`: PDFium's text, the text-layer check,
runs into lines, tables) against a bare pypdfium2 text pass over the same pages.

Each child process reads the bundled PDFs both ways in turn (the order alternating), in rounds,
and gives processor time per page for each; what reading adds to the bare pass (PDFium's page and
text-page loading, which both share) is the code's own share. With --earlier PATH a checkout of
earlier code (e.g. a git worktree of main) is run too, the two children's order rotated from round
to round, and the result is the median of the same-round ratios of their own shares, because the
machine's speed moves under load while a ratio of runs made side by side holds still.

    python benchmarks/bench_read.py [--rounds 6] [--earlier PATH] [--no-write]

Prints a table and writes it as a section of benchmarks/results.md (the other sections stay).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_build import write_section  # noqa: E402

SECTION = "## Reading PDF pages"
INNER = 4  # rounds within a child


def child() -> None:
    """In a child, with the checkout to measure first on the import path: per inner round,
    processor ms per page of pdf_pages and of the bare pass."""
    import pypdfium2 as pdfium

    from pipeline.read import lines
    pdfs = [str(p) for p in sorted((ROOT / "raw").rglob("*.pdf"))]

    def bare() -> int:
        n = 0
        for path in pdfs:
            pdf = pdfium.PdfDocument(path)
            for i in range(len(pdf)):
                page = pdf[i]
                tp = page.get_textpage()
                tp.get_text_range()
                tp.close()
                page.close()
                n += 1
            pdf.close()
        return n

    def read() -> int:
        return sum(len(lines.pdf_pages(path)) for path in pdfs)

    read(), bare()  # imports, the vocabulary, each word's kind
    for r in range(INNER):
        took = {}
        for f in (bare, read) if r % 2 == 0 else (read, bare):
            start, pages = time.process_time(), f() + f()
            took[f] = (time.process_time() - start) / pages * 1000
        print(f"{took[read]:.4f} {took[bare]:.4f}", flush=True)


def measure(code: Path) -> tuple[float, float, float]:
    """(reading ms/page, bare ms/page, own share ms/page) of the code at `code`: medians over the
    child's rounds."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(code), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child"], capture_output=True,
                         text=True, cwd=code, env=env, check=True).stdout
    pairs = [tuple(map(float, line.split())) for line in out.splitlines() if line.strip()]
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(a - b for a, b in pairs))


def write(rows: list[tuple[str, str]]) -> None:
    write_section(SECTION, f"{SECTION} (`python benchmarks/bench_read.py`)\n\n| measure | result |\n|---|---|\n"
                  + "".join(f"| {k} | {v} |\n" for k, v in rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--earlier", type=Path, help="A checkout of earlier code: its own share in the same rounds.")
    ap.add_argument("--no-write", action="store_true", help="Print only; leave benchmarks/results.md as it is.")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child()
    codes = [ROOT] + ([args.earlier.resolve()] if args.earlier else [])
    got: dict[Path, list[tuple[float, float, float]]] = {c: [] for c in codes}
    ratios = []
    load = os.getloadavg()[0]
    for r in range(args.rounds):
        for code in codes if r % 2 == 0 else codes[::-1]:
            got[code].append(measure(code))
        if args.earlier:
            ratios.append(got[ROOT][-1][2] / got[codes[1]][-1][2])
        print(f"round {r + 1}: " + "; ".join(f"{c.name}: read {m[0]:.3f}, bare {m[1]:.3f}, own {m[2]:.3f} ms/page"
                                             for c, m in ((c, got[c][-1]) for c in codes)), flush=True)

    def line(code: Path) -> str:
        read, bare, own = (statistics.median(m[k] for m in got[code]) for k in range(3))
        spread = [m[2] for m in got[code]]
        return (f"pdf_pages {read:.3f} ms/page, the bare pass {bare:.3f}: own share **{own:.3f}** ms/page "
                f"({min(spread):.3f}–{max(spread):.3f}), {read / bare:.2f}x the bare pass")

    rows = [("machine", f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; load average (1 min) "
                        f"{load:.1f} before, {os.getloadavg()[0]:.1f} after; {args.rounds} rounds of {INNER} in each "
                        "child"),
            ("this code, processor time per page (medians)", line(ROOT))]
    if args.earlier:
        rev = subprocess.run(["git", "-C", str(args.earlier), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True).stdout.strip()
        rows += [(f"earlier code ({args.earlier}{f' at {rev}' if rev else ''}), same rounds", line(codes[1])),
                 ("own share, this / earlier (median of same-round ratios)",
                  f"**{statistics.median(ratios):.2f}x** (rounds: {', '.join(f'{x:.2f}' for x in ratios)})")]
    for k, v in rows:
        print(f"{k}: {v}")
    if not args.no_write:
        write(rows)


if __name__ == "__main__":
    main()
