"""`minutes extract FILE --debug-page N --out PNG`: a page drawn with its ruling lines, rectangles
and the table cells pdfplumber detects, for a developer diagnosing a table."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import RAW, SHARED
from pipeline.cli import main

PNG = b"\x89PNG\r\n\x1a\n"
SEED_PDF = SHARED / "pdfs" / "000_ce3ce3be226b7e04.pdf"  # a referat with ruled tables


def _draw(pdf, page, out):
    return CliRunner().invoke(main, ["extract", str(pdf), "--debug-page", str(page), "--out", str(out)])


@pytest.mark.skipif(not SEED_PDF.exists(),
                    reason=f"{SEED_PDF} is absent (the shared seed PDFs sit beside the repository, in ../shared)")
def test_a_ruled_seed_page_is_drawn_with_its_table_cells(tmp_path):
    out = tmp_path / "page1.png"
    r = _draw(SEED_PDF, 1, out)
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(PNG)
    assert "ruling lines" in r.output and " 0 tables" not in r.output


def test_a_bundled_ruled_page_is_drawn(tmp_path):
    out = tmp_path / "sub" / "p2.png"
    r = _draw(RAW / "oslo" / "ssu-2025-03-07-referat.pdf", 2, out)
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(PNG)
    assert "1 tables with 4 cells found" in r.output


def test_debug_page_refuses_what_it_cannot_draw(tmp_path):
    pdf = RAW / "oslo" / "ssu-2025-03-07-referat.pdf"
    assert _draw(pdf, 99, tmp_path / "x.png").exit_code == 1  # no such page
    assert _draw(RAW / "oslo" / "ssu-2025-03-07-referat.txt", 1, tmp_path / "x.png").exit_code == 1  # not a PDF
    runner = CliRunner()
    assert runner.invoke(main, ["extract", str(pdf), "--debug-page", "1"]).exit_code == 2  # no --out
    assert runner.invoke(main, ["extract", str(pdf)]).exit_code == 2  # neither --json nor --debug-page
    both = runner.invoke(main, ["extract", str(pdf), "--json", "--debug-page", "1", "--out", str(tmp_path / "x.png")])
    assert both.exit_code == 2
    assert not (tmp_path / "x.png").exists()
