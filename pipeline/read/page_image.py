"""One PDF page drawn for a developer diagnosing a table (`minutes extract FILE --debug-page N
--out PNG`): the page with its ruling lines (red), its rectangles (blue outlines) and the table
cells pdfplumber's table finder detects (its edges, intersections and shaded cells). The product
reads tables with its own code (layout.py); this picture shows what the page gives it to work with."""
from __future__ import annotations

from pathlib import Path

from ..errors import ExtractError

RESOLUTION = 110  # pixels per inch: a page about 900 pixels wide


def draw(path: Path, number: int, out: Path, resolution: int = RESOLUTION) -> dict[str, int]:
    """Page `number` (from 1) of the PDF at `path` drawn into the PNG file `out`; what it shows,
    counted."""
    import pdfplumber  # only this developer aid needs it

    with pdfplumber.open(path) as pdf:
        if not 1 <= number <= len(pdf.pages):
            raise ExtractError(f"no page {number}: the PDF has {len(pdf.pages)} pages")
        page = pdf.pages[number - 1]
        finder = page.debug_tablefinder()
        image = page.to_image(resolution=resolution)
        image.draw_rects(page.rects, fill=(0, 0, 0, 0), stroke=(0, 0, 255, 160), stroke_width=1)
        image.draw_lines(page.lines, stroke=(255, 0, 0, 220), stroke_width=2)
        image.debug_tablefinder(finder)
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(out, format="PNG")
        return {"lines": len(page.lines), "rects": len(page.rects), "tables": len(finder.tables),
                "cells": sum(len(t.cells) for t in finder.tables)}
