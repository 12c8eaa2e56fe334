"""PDF geometry: text runs and ruling lines (pdftext) -> lines in reading order, with table
rows emitted cell by cell (column 0, then 1, ...) and tagged with row and column.

Ruled tables take their rows and columns from the ruling lines; tables without ruling lines are
found by aligned column starts, and their rows by the first column (a case number, or a
label with a value beside it)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import attrgetter

from ..models import Line
from . import pdftext
from .clean import clean_text
from .pdftext import Rules, Run

COL_GAP = 9.0  # points between runs that makes them separate cells
TOL = 4.0  # points of slack when matching a run to a column start
BULLET = re.compile(r"^(?:[•\uf0b7\uf0a7▪◦‣✓✔–-]|\d{1,2}[.)]|[a-z][.)])$")
_BULLET_LONGEST = 4  # characters a text BULLET matches can have: three, and a newline before $


@dataclass(slots=True)
class VLine:
    """A visual line: runs sharing a baseline, left to right, with its measures (VLine.of)."""

    runs: list[Run]
    top: float
    bottom: float
    text: str
    size: float

    @classmethod
    def of(cls, runs: list[Run]) -> VLine:
        return cls(runs, min([r.top for r in runs]), max([r.bottom for r in runs]), " ".join([r.text for r in runs]),
                   max([r.size for r in runs]))

    @property
    def x0(self) -> float:
        return self.runs[0].x0


def runs_to_vlines(runs: list[Run]) -> list[VLine]:
    """Runs grouped into visual lines (group_runs), each group's runs left to right, bullets merged."""
    groups = group_runs(runs)
    lines = [_one_run_line(g[0]) if len(g) == 1 else VLine.of(merge_bullets(sorted(g, key=_LEFT))) for g in groups]
    return sorted(lines, key=_TOP)


def group_runs(runs: list[Run]) -> list[list[Run]]:
    """In order of their middle (rounded) and left edge, a run joins the latest of the last three
    groups whose first run it overlaps vertically by half the lower of the two heights, else
    starts a group. In C where pdftext's compiled reader was built (it leaves the pages it cannot
    order as sorted() does to the Python function)."""
    groups = pdftext.compiled.group_runs(runs) if pdftext.compiled is not None else None
    return _group_runs(runs) if groups is None else groups


def _group_runs(runs: list[Run]) -> list[list[Run]]:
    groups: list[list[Run]] = []
    refs: list[tuple[float, float, float]] = []  # each group's first run: top, bottom, height
    for run in sorted(runs, key=_reading_key):
        top, bottom = run.top, run.bottom
        height = bottom - top
        for k in range(len(groups) - 1, len(groups) - 4 if len(groups) > 3 else -1, -1):
            ref_top, ref_bottom, ref_height = refs[k]
            # min() and max() of two, spelled out: the same value, NaN and -0.0 included
            overlap = (bottom if bottom < ref_bottom else ref_bottom) - (top if top > ref_top else ref_top)
            if overlap >= 0.5 * (height if height < ref_height else ref_height):
                groups[k].append(run)
                break
        else:
            groups.append([run])
            refs.append((top, bottom, height))
    return groups


def _reading_key(run: Run) -> tuple[int, float]:
    return round((run.top + run.bottom) / 2), run.x0  # round(run.mid), without the property call


_LEFT = attrgetter("x0")
_TOP = attrgetter("top")


def _one_run_line(run: Run) -> VLine:
    """VLine.of(merge_bullets([run]))."""
    return VLine([run], run.top, run.bottom, run.text, run.size)


def merge_bullets(runs: list[Run]) -> list[Run]:
    """A bullet or list marker run joins the run after it: '•' + 'text' -> '• text'."""
    out: list[Run] = []
    for run in runs:
        if out and len(out[-1].text) <= _BULLET_LONGEST and BULLET.match(out[-1].text) and run.x0 - out[-1].x1 < 40:
            prev = out.pop()
            run = Run(f"{prev.text} {run.text}", prev.x0, run.x1, min(prev.top, run.top),
                      max(prev.bottom, run.bottom), run.bold, run.size)
        elif out and run.x0 - out[-1].x1 < COL_GAP:
            prev = out.pop()
            run = Run(f"{prev.text} {run.text}", prev.x0, run.x1, min(prev.top, run.top),
                      max(prev.bottom, run.bottom), prev.bold, prev.size)
        out.append(run)
    return out


def texts_settled(runs: list[Run]) -> bool:
    """Is each text of these runs (read by pdftext or ocr, so clean_text's output) what clean_text
    makes of it, and so is any join of them by spaces? Then a line's text need not be cleaned
    again. It is, unless removing a soft hyphen put a combining mark after a letter (not NFC);
    the page's texts joined by spaces are NFC exactly when each is (a space composes with nothing)."""
    return unicodedata.is_normalized("NFC", " ".join(r.text for r in runs))


# --- tables -------------------------------------------------------------------------------------

@dataclass
class Table:
    lines: list[VLine]
    columns: list[float]  # x where each column starts
    row_tops: list[float] | None = None  # ruled tables: y of each row's upper rule


def ruled_tables(rules: Rules) -> list[tuple[float, float, float, float, list[float], list[float]]]:
    """(top, bottom, x0, x1, column starts, row tops) of each table drawn with ruling lines."""
    hs = sorted(rules.horizontal)
    tables = []
    group: list[tuple[float, float, float]] = []

    def spanned(a: float, b: float) -> bool:
        return any(t <= a + 2 and bt >= b - 2 for _, t, bt in rules.vertical)

    for h in hs:
        if group and not (abs(h[1] - group[-1][1]) < 6 and abs(h[2] - group[-1][2]) < 6
                          and spanned(group[-1][0], h[0])):
            tables.append(group)
            group = []
        group.append(h)
    if group:
        tables.append(group)
    out = []
    for g in tables:
        if len(g) < 2:
            continue
        top, bottom = g[0][0], g[-1][0]
        x0, x1 = min(h[1] for h in g), max(h[2] for h in g)
        xs = sorted({round(x) for x, t, b in rules.vertical if t < bottom - 1 and b > top + 1 and x0 + 3 < x < x1 - 3})
        cols = [x0] + [float(x) for i, x in enumerate(xs) if i == 0 or x - xs[i - 1] > 3]
        out.append((top, bottom, x0, x1, cols, [h[0] for h in g]))
    return out


def fits(line: VLine, cols: list[float], size: float) -> bool:
    if abs(line.size - size) > 1.0:
        return False
    for run in line.runs:
        k = column_of(run.x0, cols)
        if k is None:
            return False
        if k + 1 < len(cols) and run.x1 > cols[k + 1] + TOL:
            return False
    return True


def column_of(x: float, cols: list[float]) -> int | None:
    """The last column whose start (less TOL) x is at or right of; None if left of the first."""
    if x < cols[0] - TOL:
        return None
    for i in range(len(cols) - 1, 0, -1):
        if x >= cols[i] - TOL:
            return i
    return 0


def add_columns(line: VLine, cols: list[float]) -> list[float]:
    """New column starts from a multi-run line whose runs start between known columns."""
    new = list(cols)
    for run in line.runs[1:]:
        if all(abs(run.x0 - c) > TOL for c in new) and not _mark_under_header(run, line, new):
            new.append(run.x0)
    return sorted(new)


def _mark_under_header(run: Run, line: VLine, cols: list[float]) -> bool:
    """A short run (an X mark) a little right of a column start that holds nothing else on the
    line sits in that column, centred under its header."""
    k = column_of(run.x0, cols)
    if k is None or run.x0 - cols[k] > 40 or len(run.text) > 3:
        return False
    return not any(r is not run and column_of(r.x0, cols) == k for r in line.runs)


def unruled_tables(lines: list[VLine]) -> Iterator[Table | VLine]:
    i = 0
    while i < len(lines):
        line = lines[i]
        if len(line.runs) < 2:
            yield line
            i += 1
            continue
        cols = [r.x0 for r in line.runs]
        members = [line]
        j = i + 1
        while j < len(lines):
            cand = lines[j]
            trial = add_columns(cand, cols) if len(cand.runs) > 1 else cols
            if len(trial) > len(cols) and len(members) > 1:
                break  # a new column layout under an established table starts a new table
            gap = cand.top - members[-1].bottom
            if gap > 3 * max(line.size, 8) or not fits(cand, trial, line.size):
                break
            cols = trial
            members.append(cand)
            j += 1
        yield Table(members, cols)
        i = j


def cell_texts(line: VLine, cols: list[float]) -> dict[int, list[Run]]:
    cells: dict[int, list[Run]] = {}
    for run in line.runs:
        k = column_of(run.x0, cols)
        cells.setdefault(0 if k is None else k, []).append(run)
    return cells


def table_rows(table: Table, cells: list[dict[int, list[Run]]], is_key: Callable[[str], bool]) -> list[list[int]]:
    """The table's lines (by index) grouped into rows: by ruling lines where drawn, else by the
    first column; `cells`: each line's cell_texts."""
    if table.row_tops:
        rows: dict[int, list[int]] = {}
        for n, line in enumerate(table.lines):
            idx = max((i for i, t in enumerate(table.row_tops) if t <= line.top + 2), default=0)
            rows.setdefault(idx, []).append(n)
        return [rows[k] for k in sorted(rows)]
    numbered = any(0 in c and is_key(" ".join(r.text for r in c[0])) for c in cells)
    out: list[list[int]] = []
    for n, c in enumerate(cells):
        first = " ".join(r.text for r in c.get(0, []))
        others = any(k > 0 for k in c)
        if numbered:
            prev_first = 0 in cells[n - 1] if n else True
            start = bool(first) and (is_key(first) or (others and not prev_first) or first.endswith(":"))
        else:
            start = bool(first) and (others or len(table.columns) == 1)
        if start or not out:
            out.append([n])
        else:
            out[-1].append(n)
    return out


def emit_rows(table: Table, page: int, rows_ids: Iterator[int], is_key: Callable[[str], bool],
              settled: bool = False) -> list[Line]:
    """A table's Lines, row by row and in each row column by column. A cell's text is its runs'
    texts joined by spaces, cleaned unless `settled` (see texts_settled)."""
    cells = [cell_texts(ln, table.columns) for ln in table.lines]
    tops = [round(ln.top, 1) for ln in table.lines]
    out: list[Line] = []
    for row in table_rows(table, cells, is_key):
        rid = next(rows_ids)
        if len(row) == 1:  # one line: its cells in column order
            per_col = {k: [(row[0], runs)] for k, runs in cells[row[0]].items()}
        else:
            per_col = {}
            for n in row:
                for k, runs in cells[n].items():
                    per_col.setdefault(k, []).append((n, runs))
        for k in sorted(per_col):
            for n, runs in per_col[k]:
                text = runs[0].text if len(runs) == 1 else " ".join(r.text for r in runs)
                text = text if settled else clean_text(text)
                if text:
                    out.append(_line(text, page, runs[0].bold, rid, k, tops[n]))
    return out


_new = object.__new__


def _line(text: str, page: int, bold: bool, row: int | None, col: int | None, top: float) -> Line:
    """Line(text, page, bold, row, col, top), made without the frozen dataclass's __init__, which
    sets each field through object.__setattr__ (a fifth of the time page_lines takes): the same
    fields in the same order, so an equal, equally hashed and equally serialised Line
    (tests/test_layout_paths.py holds it to Line's fields)."""
    line = _new(Line)
    vars(line).update(text=text, page=page, bold=bold, row=row, col=col, top=top)
    return line


def page_lines(vlines: list[VLine], rules: Rules, page: int, rows_ids: Iterator[int],
               is_key: Callable[[str], bool], settled: bool = False) -> list[Line]:
    """Visual lines of one page -> Lines in reading order (tables cell by cell). A line's text
    is its runs' texts joined by spaces, cleaned unless `settled` (see texts_settled)."""
    ruled = ruled_tables(rules)
    out: list[Line] = []

    def flush(lines: list[VLine]) -> None:
        for item in unruled_tables(lines):
            if isinstance(item, Table):
                out.extend(emit_rows(item, page, rows_ids, is_key, settled))
            else:
                text = item.text if settled else clean_text(item.text)
                out.append(_line(text, page, item.runs[0].bold, None, None, round(item.top, 1)))

    if not ruled:
        flush(vlines)
        return out
    pending: list[VLine] = []
    i = 0
    while i < len(vlines):
        line = vlines[i]
        box = next((t for t in ruled if t[0] - 2 <= line.top and line.bottom <= t[1] + 2), None)
        if box is None:
            pending.append(line)
            i += 1
            continue
        flush(pending)
        pending = []
        members = []
        while i < len(vlines) and box[0] - 2 <= vlines[i].top and vlines[i].bottom <= box[1] + 2:
            members.append(vlines[i])
            i += 1
        out.extend(emit_rows(Table(members, box[4], box[5]), page, rows_ids, is_key, settled))
    flush(pending)
    return out
