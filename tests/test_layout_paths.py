"""The layout's quick paths give what its plain definitions give: runs grouped into lines with
the overlaps spelled out."""
from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import RAW, SHARED
from pipeline.read import layout
from pipeline.read.pdftext import Run, read_pdf

PDFS = sorted([*RAW.rglob("*.pdf"), *(SHARED / "real").rglob("*.pdf")])


def reference_vlines(runs: list[Run]) -> list[layout.VLine]:
    """The definition: in order of rounded middle and left edge, a run joins the latest of the last
    three groups whose first run it overlaps by half the lower height; runs left to right."""
    groups: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: (round(r.mid), r.x0)):
        for group in reversed(groups[-3:]):
            ref = group[0]
            overlap = min(ref.bottom, run.bottom) - max(ref.top, run.top)
            if overlap >= 0.5 * min(ref.bottom - ref.top, run.bottom - run.top):
                group.append(run)
                break
        else:
            groups.append([run])
    lines = [layout.VLine.of(layout.merge_bullets(sorted(g, key=lambda r: r.x0))) for g in groups]
    return sorted(lines, key=lambda ln: ln.top)


def _shape(lines: list[layout.VLine]) -> list[tuple]:
    return [([(r.text, r.x0, r.x1, r.top, r.bottom, r.bold, r.size) for r in ln.runs], ln.top, ln.bottom, ln.text,
             ln.size) for ln in lines]


def test_vlines_equal_the_definition_on_every_page_of_the_bundled_and_real_pdfs():
    pages = 0
    for pdf in PDFS:
        for _, _, runs, _ in read_pdf(str(pdf)):
            assert _shape(layout.runs_to_vlines(runs)) == _shape(reference_vlines(runs)), pdf.name
            pages += 1
    assert pages > 100


COORD = st.one_of(st.floats(0, 60, allow_nan=False).map(lambda x: round(x, 1)), st.sampled_from([0.0, -0.0, 10.5]))
TEXTS = st.sampled_from(["•", "-", "1.", "12)", "a)", "Sak", "Vedtak:", "12.\n", "b", "123."])


@st.composite
def runs(draw) -> list[Run]:
    out = []
    for _ in range(draw(st.integers(0, 12))):
        x0, top = draw(COORD) * 5, draw(COORD)
        out.append(Run(draw(TEXTS), x0, x0 + draw(COORD), top, top + draw(st.sampled_from([0.0, 4.0, 8.0, 11.5, 12.0])),
                       draw(st.booleans()), draw(st.sampled_from([9.0, 11.0, 12.0]))))
    if out and draw(st.booleans()):
        out[0].x0 = math.nan  # a damaged page's coordinates (NaN in top or bottom: round() refuses it in both)
    return out


@settings(max_examples=400, deadline=None)
@given(runs())
def test_vlines_equal_the_definition_on_made_up_runs(page):
    got, expected = _shape(layout.runs_to_vlines(page)), _shape(reference_vlines(page))
    assert repr(got) == repr(expected)  # repr: NaN equals NaN
