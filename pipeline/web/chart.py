"""Topics over time as a chart drawn on the server: one row of bars per topic, one bar per year, all
on one scale. The template writes it as inline SVG (no script, no style attribute: the stylesheet
colours it), each bar a link to the search for that topic and year."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

LABEL_WIDTH = 230  # the topic names, left of the bars
ROW_HEIGHT = 46
AXIS_HEIGHT = 24
TOP = 8
MAX_COLUMN, MIN_COLUMN, PLOT_WIDTH = 80, 18, 760


def search_link(given: dict[str, str], topic: str, year: int | None = None) -> str:
    """The search listing a topic's cases (in a year), with the chart's filters."""
    query = {**given, "topic": topic} | ({"year": str(year)} if year else {})
    return "/search?" + urlencode(query)


def topics(rows: list[dict[str, Any]], given: dict[str, str]) -> dict[str, Any]:
    """Per topic its cases per year, most cases first, and the chart's geometry (`svg`)."""
    years = list(range(min(r["year"] for r in rows), max(r["year"] for r in rows) + 1)) if rows else []
    counts: dict[str, dict[int, int]] = {}
    for r in rows:
        counts.setdefault(r["topic"], {})[int(r["year"])] = int(r["cases"])
    ordered = sorted(counts, key=lambda t: (-sum(counts[t].values()), t))
    table = [{"topic": t, "total": sum(counts[t].values()), "href": search_link(given, t),
              "years": [{"year": y, "cases": counts[t].get(y, 0), "href": search_link(given, t, y)} for y in years]}
             for t in ordered]
    return {"years": years, "topics": table, "svg": _geometry(table, years)}


def _geometry(table: list[dict[str, Any]], years: list[int]) -> dict[str, Any]:
    column = max(MIN_COLUMN, min(MAX_COLUMN, PLOT_WIDTH // max(len(years), 1)))
    bar = max(column - 6, 4)
    peak = max((y["cases"] for t in table for y in t["years"]), default=0) or 1
    usable = ROW_HEIGHT - 18  # room for the count above the tallest bar
    rows = []
    for i, t in enumerate(table):
        base = TOP + (i + 1) * ROW_HEIGHT - 4
        bars = []
        for j, y in enumerate(t["years"]):
            if not y["cases"]:
                continue
            h = max(2, round(y["cases"] / peak * usable))
            x = LABEL_WIDTH + j * column + (column - bar) // 2
            bars.append({"x": x, "y": base - h, "width": bar, "height": h, "cases": y["cases"], "year": y["year"],
                         "href": y["href"], "label_x": x + bar // 2, "label_y": base - h - 3})
        rows.append({"topic": t["topic"], "total": t["total"], "href": t["href"], "label_y": base - 6,
                     "line_y": base, "bars": bars})
    height = TOP + len(table) * ROW_HEIGHT + AXIS_HEIGHT
    width = LABEL_WIDTH + column * len(years) + 10
    axis = [{"year": y, "x": LABEL_WIDTH + j * column + column // 2, "y": height - 8} for j, y in enumerate(years)]
    return {"width": width, "height": height, "rows": rows, "axis": axis, "plot_left": LABEL_WIDTH,
            "plot_right": width - 10, "show_counts": column >= 24}
