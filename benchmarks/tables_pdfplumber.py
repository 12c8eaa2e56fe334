"""Ruled tables: the product's table code against pdfplumber's extract_tables, page by page.

On every page where pdftext finds ruling lines that make a table (layout.ruled_tables), the cells
the product emits (Lines grouped by table row and column, inside the ruled boxes) are compared
with the cells pdfplumber's extract_tables gives (its default "lines" strategy), each cell's text
with whitespace collapsed. Reported per file: ruled pages, cells each found, cells with the same
text (agreement = same / cells of either), and milliseconds per ruled page for each: the product's
whole reading of the page (PDFium runs and rules, lines and tables) and pdfplumber's table
extraction alone (its page parse included).

    python benchmarks/tables_pdfplumber.py [PDF ...]   (default: raw/**/*.pdf and ../shared/pdfs/*.pdf)
"""
from __future__ import annotations

import sys
import time
from collections import defaultdict
from itertools import count
from pathlib import Path

import pdfplumber

from pipeline.read import layout, lines, pdftext

ROOT = Path(__file__).resolve().parents[1]


def norm(text: str | None) -> str:
    return " ".join((text or "").split())


def product_cells(path: Path) -> tuple[dict[int, set[str]], dict[int, float], dict[int, int], dict[int, set[str]]]:
    """Per ruled page: the texts of the product's table cells inside ruled boxes; seconds per page;
    ruled tables; the texts of all its table cells on the page (ruled or found by alignment)."""
    cells: dict[int, set[str]] = {}
    anywhere: dict[int, set[str]] = {}
    seconds: dict[int, float] = {}
    tables: dict[int, int] = {}
    row_ids = count(1)
    t = time.perf_counter()
    for number, _, runs, rules in pdftext.read_pdf(str(path)):
        vlines = layout.runs_to_vlines(runs)
        out = layout.page_lines(vlines, rules, number, row_ids, lines.is_case_key)
        now = time.perf_counter()
        boxes = layout.ruled_tables(rules)
        if boxes:
            seconds[number] = now - t
            tables[number] = len(boxes)
            by_cell: dict[tuple[int, int], list[str]] = defaultdict(list)
            all_cells: dict[tuple[int, int], list[str]] = defaultdict(list)
            for ln in out:
                if ln.row is not None:
                    all_cells[(ln.row, ln.col or 0)].append(ln.text)
                    if ln.top is not None and any(b[0] - 2 <= ln.top <= b[1] + 2 for b in boxes):
                        by_cell[(ln.row, ln.col or 0)].append(ln.text)
            cells[number] = {norm(" ".join(v)) for v in by_cell.values()} - {""}
            anywhere[number] = {norm(" ".join(v)) for v in all_cells.values()} - {""}
        t = time.perf_counter()
    return cells, seconds, tables, anywhere


def plumber_cells(path: Path, pages: list[int]) -> tuple[dict[int, set[str]], dict[int, float], dict[int, int]]:
    cells: dict[int, set[str]] = {}
    seconds: dict[int, float] = {}
    tables: dict[int, int] = {}
    with pdfplumber.open(path) as pdf:
        for number in pages:
            t = time.perf_counter()
            found = pdf.pages[number - 1].extract_tables()
            seconds[number] = time.perf_counter() - t
            tables[number] = len(found)
            cells[number] = {norm(c) for table in found for row in table for c in row} - {""}
    return cells, seconds, tables


def main(paths: list[Path]) -> None:
    print("| file | ruled pages | tables (product / pdfplumber) | cells (product in ruled boxes / pdfplumber) | "
          "same text | agreement | pdfplumber cells the product has anywhere on the page | "
          "ms per ruled page (product: whole page / pdfplumber: tables) |")
    print("|---|---|---|---|---|---|---|---|")
    total = defaultdict(float)
    for path in paths:
        ours, our_s, our_t, anywhere = product_cells(path)
        if not ours:
            continue
        theirs, their_s, their_t = plumber_cells(path, sorted(ours))
        a = sum(len(ours[p]) for p in ours)
        b = sum(len(theirs[p]) for p in ours)
        same = sum(len(ours[p] & theirs[p]) for p in ours)
        either = sum(len(ours[p] | theirs[p]) for p in ours)
        found = sum(len(theirs[p] & anywhere[p]) for p in ours)
        ms_ours = 1000 * sum(our_s.values()) / len(ours)
        ms_theirs = 1000 * sum(their_s.values()) / len(ours)
        for k, v in (("pages", len(ours)), ("a", a), ("b", b), ("same", same), ("either", either), ("found", found),
                     ("s_ours", sum(our_s.values())), ("s_theirs", sum(their_s.values())),
                     ("t_ours", sum(our_t.values())), ("t_theirs", sum(their_t.values()))):
            total[k] += v
        print(f"| {path.name} | {len(ours)} | {sum(our_t.values())} / {sum(their_t.values())} | {a} / {b} | {same} | "
              f"{same / either:.0%} | {found} / {b} | {ms_ours:.1f} / {ms_theirs:.1f} |")
    if total["pages"]:
        print(f"| all | {total['pages']:.0f} | {total['t_ours']:.0f} / {total['t_theirs']:.0f} | "
              f"{total['a']:.0f} / {total['b']:.0f} | {total['same']:.0f} | {total['same'] / total['either']:.0%} | "
              f"{total['found']:.0f} / {total['b']:.0f} | "
              f"{1000 * total['s_ours'] / total['pages']:.1f} / {1000 * total['s_theirs'] / total['pages']:.1f} |")


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]]
    main(args or sorted((ROOT / "raw").rglob("*.pdf")) + sorted((ROOT.parent / "shared" / "pdfs").glob("*.pdf")))
