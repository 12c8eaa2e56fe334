"""Query results for people and for programs.

- A table fits the width it is given (the terminal's): each command names the columns it shows,
  in order, which of them are long text that may be cut (with "…"), and which may be left out
  first when even cut text does not fit; `wide` shows every column whole. Empty values are blank,
  never NaN, None or NaT; lists are joined with "; "; dates are YYYY-MM-DD; numbers right-aligned.
- JSON: one array of records, dates as "YYYY-MM-DD" (times as "YYYY-MM-DDTHH:MM:SS"), lists as
  arrays, empty values as null.
- CSV: one record per line, a header line first, lists as JSON arrays ("[\"a\", \"b\"]"), dates as
  in JSON, empty values as empty fields; readable by pandas and by a spreadsheet.

A column of pandas datetimes whose values all fall on midnight holds dates (DuckDB's DATE reaches
pandas as a datetime) and is written as dates."""
from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import pandas as pd

ELLIPSIS = "…"
GAP = "  "
HEADERS = {"meeting_date": "date", "case_id": "id", "doc_id": "id", "doc_type": "type", "source_path": "source",
           "decision_label": "label", "attachment_count": "attached", "partnership": "partnership"}


@dataclass(frozen=True)
class Layout:
    """Which columns a table shows, in order; `flexible` ones may be cut to `min_width`; `optional`
    ones are left out, last first, when the others do not fit."""

    columns: Sequence[str]
    flexible: Sequence[str] = ()
    optional: Sequence[str] = ()
    min_width: dict[str, int] = field(default_factory=dict)


# --- values --------------------------------------------------------------------------------------

def _date_columns(df: pd.DataFrame) -> set[str]:
    """Datetime columns whose values are all dates (midnight)."""
    out = set()
    for col in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[col].dtype):
            values = df[col].dropna()
            if (values == values.dt.normalize()).all():
                out.add(col)
    return out


def plain(value: Any, as_date: bool = False) -> Any:
    """A cell as a JSON value: None for blanks, ISO text for dates and times, lists as lists."""
    if isinstance(value, list | tuple) or type(value).__name__ == "ndarray":
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if as_date else value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return None if math.isnan(value) else (int(value) if value.is_integer() and abs(value) < 2**53 else value)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return plain(value.item(), as_date)
    return value


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    dates = _date_columns(df)
    return [{col: plain(v, col in dates) for col, v in zip(df.columns, row)}
            for row in df.itertuples(index=False, name=None)]


def text(value: Any) -> str:
    """A cell as table text: blank for empty values, lists joined with '; '."""
    if isinstance(value, list):
        return "; ".join(text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {text(v)}" for k, v in value.items() if v is not None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


# --- formats -------------------------------------------------------------------------------------

def to_json(df: pd.DataFrame) -> str:
    return json.dumps(records(df), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> str:
    """A value JSON has no type for (bytes of a BLOB or BIT column, an interval, a decimal…):
    bytes as hexadecimal, anything else as its text."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def to_csv(df: pd.DataFrame) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(df.columns)
    for rec in records(df):
        w.writerow([csv_cell(v) for v in rec.values()])
    return out.getvalue()


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    if isinstance(value, bool):
        return "true" if value else "false"
    return " ".join(str(value).splitlines()) if isinstance(value, str) else str(value)


def write_csv(df: pd.DataFrame, path: Any) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(to_csv(df))


def table(df: pd.DataFrame, layout: Layout | None, width: int | None, wide: bool = False) -> str:
    """The rows as a table of at most `width` characters a line (no limit with `wide` or None)."""
    if df.empty:
        return "(no rows)"
    cols = [c for c in (layout.columns if layout and not wide else df.columns) if c in df.columns]
    recs = records(df)
    numeric = {c for c in cols if pd.api.types.is_numeric_dtype(df[c].dtype) and not
               pd.api.types.is_bool_dtype(df[c].dtype)}
    cells = {c: [_shown(c, r[c], wide) for r in recs] for c in cols}
    heads = {c: HEADERS.get(c, c) for c in cols}
    widths = {c: max([len(heads[c]), *(len(v) for v in cells[c])]) for c in cols}
    if width is not None and not wide and layout is not None:
        cols, widths = _fit(cols, widths, heads, layout, width)
    lines = [GAP.join(_pad(heads[c], widths[c], c in numeric) for c in cols).rstrip()]
    for i in range(len(recs)):
        lines.append(GAP.join(_pad(_cut(cells[c][i], widths[c], c.endswith("path")), widths[c], c in numeric)
                              for c in cols).rstrip())
    return "\n".join(lines)


def _shown(col: str, value: Any, wide: bool) -> str:
    if col == "source_path" and isinstance(value, str) and not wide:
        return PurePath(value).name  # raw/<partnership>/ is in the partnership column
    if col == "sources" and isinstance(value, list) and not wide:
        return "; ".join(PurePath(v).name for v in value)
    return text(value)


def _fit(cols: list[str], widths: dict[str, int], heads: dict[str, str], layout: Layout,
         width: int) -> tuple[list[str], dict[str, int]]:
    cols = list(cols)
    optional = [c for c in layout.optional if c in cols]
    floor = False  # flexible columns down to 8 characters, when leaving out the optional ones was not enough
    while True:
        flex = [c for c in cols if c in layout.flexible]
        fixed = sum(widths[c] for c in cols if c not in flex) + len(GAP) * (len(cols) - 1)
        least = {c: 8 if floor else layout.min_width.get(c, 12) for c in flex}
        mins = {c: min(widths[c], max(len(heads[c]), least[c])) for c in flex}
        if fixed + sum(mins.values()) <= width or len(cols) == 1:
            break
        if optional:
            cols.remove(optional.pop())  # the last optional column goes first
        elif not floor:
            floor = True
        else:
            cols.pop()  # still too narrow: the columns on the right go
    room = width - fixed
    out = dict(widths)
    if sum(widths[c] for c in flex) > room:
        # each flexible column its minimum, then the room left shared out evenly among those that want more
        out.update(mins)
        left = room - sum(mins.values())
        wanting = [c for c in flex if widths[c] > out[c]]
        while left > 0 and wanting:
            share = max(1, left // len(wanting))
            for c in list(wanting):
                give = min(share, widths[c] - out[c], left)
                out[c] += give
                left -= give
                if out[c] >= widths[c]:
                    wanting.remove(c)
                if left <= 0:
                    break
    return cols, out


def _cut(value: str, width: int, keep_end: bool = False) -> str:
    """The value cut to `width` with an ellipsis; a path keeps its end (the file's name)."""
    if len(value) <= width:
        return value
    if keep_end:
        return ELLIPSIS + value[len(value) - width + 1:]
    return value[:max(0, width - 1)].rstrip() + ELLIPSIS


def _pad(value: str, width: int, right: bool) -> str:
    return value.rjust(width) if right else value.ljust(width)


def shown_note(shown: int, total: int) -> str | None:
    """'showing 50 of 312' when a limit cut the rows."""
    return f"showing {shown} of {total} (--limit N for more, --limit 0 for all)" if total > shown else None
