"""The layout's quick paths give what its plain definitions give: runs grouped into lines with
the overlaps spelled out, and line texts not cleaned again where the page's run texts are settled
(what clean_text makes of them, and so are their joins)."""
from __future__ import annotations

import math
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import RAW, SHARED
from pipeline.read import layout, pdftext
from pipeline.read.clean import clean_text
from pipeline.read.lines import is_case_key
from pipeline.read.pdftext import Rules, Run, read_pdf

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


def _lines(vlines: list[layout.VLine], rules, number: int, settled: bool) -> list:
    return layout.page_lines(vlines, rules, number, count(1), is_case_key, settled)


def test_settled_pages_give_the_lines_cleaning_gives_on_every_bundled_and_real_pdf():
    """Where a page's run texts are settled (texts_settled), its lines are the same without
    cleaning their texts again; run texts are never empty."""
    settled_pages = 0
    for pdf in PDFS:
        for number, _, page_runs, rules in read_pdf(str(pdf)):
            assert all(run.text for run in page_runs)
            if not layout.texts_settled(page_runs):
                continue
            assert all(clean_text(run.text) == run.text for run in page_runs)
            vlines = layout.runs_to_vlines(page_runs)
            assert _lines(vlines, rules, number, True) == _lines(vlines, rules, number, False), pdf.name
            settled_pages += 1
    assert settled_pages > 100


CLEANED = st.text(st.sampled_from([*"aæ Å.-•1", "\u00ad", "\x02", "\ufffe", "\uf0b7", "\u00a0", "\t", "\u2003",
                                   "\u0301", "\u0308", "o", "e", "\u1100", "\u1161", "\u11a8", "\u2126"]),
                  max_size=12).map(clean_text).filter(bool)  # what page_runs and ocr give a run


@settings(max_examples=500, deadline=None)
@given(st.lists(CLEANED, min_size=1, max_size=4))
def test_settled_texts_and_their_joins_are_what_cleaning_makes_of_them(texts):
    page_runs = [Run(t, 10.0 * i, 10.0 * i + 5, 0.0, 10.0, False, 10.0) for i, t in enumerate(texts)]
    assert layout.texts_settled(page_runs) == all(clean_text(t) == t for t in texts)
    if layout.texts_settled(page_runs):
        joined = " ".join(texts)
        assert clean_text(joined) == joined


def test_a_run_left_unsettled_by_a_soft_hyphen_is_cleaned_in_its_line():
    """'a', soft hyphen, combining acute: removing the hyphen leaves 'a' + U+0301 (not NFC);
    its line is cleaned again and reads 'á', also in a table cell."""
    text = clean_text("a\u00ad\u0301 og b")
    assert text == "a\u0301 og b"
    page_runs = [Run(text, 10.0, 60.0, 100.0, 110.0, False, 10.0), Run("Sak", 200.0, 220.0, 100.0, 110.0, False, 10.0),
                 Run(text, 10.0, 60.0, 300.0, 310.0, False, 10.0)]
    assert not layout.texts_settled(page_runs)
    lines = _lines(layout.runs_to_vlines(page_runs), Rules(), 1, layout.texts_settled(page_runs))
    assert [ln.text for ln in lines] == ["\u00e1 og b", "Sak", "\u00e1 og b"]


def reference_column_of(x: float, cols: list[float]) -> int | None:
    """The definition: the last column whose start, less TOL, x is at or right of."""
    if x < cols[0] - layout.TOL:
        return None
    k = 0
    for i, c in enumerate(cols):
        if x >= c - layout.TOL:
            k = i
    return k


@settings(max_examples=500, deadline=None)
@given(st.one_of(COORD, st.just(math.nan)), st.lists(st.one_of(COORD, st.just(math.nan)), min_size=1, max_size=6))
def test_column_of_equals_the_definition(x, cols):
    """Searched from the right; any order of column starts, NaN included."""
    assert layout.column_of(x * 5, [c * 5 for c in cols]) == reference_column_of(x * 5, [c * 5 for c in cols])


@st.composite
def odd_runs(draw) -> list[Run]:
    """Made-up runs, some with coordinates the compiled grouping leaves to the Python function."""
    page = draw(runs())
    for run in page:
        kind = draw(st.sampled_from(["float"] * 6 + ["int", "inf", "huge", "nan_x0", "inf_x0"]))
        if kind == "int":
            run.top = int(run.top)
        elif kind == "inf":
            run.bottom = math.inf
        elif kind == "huge":
            run.top, run.bottom = 1e308, 1.5e308  # a middle that overflows
        elif kind == "nan_x0":
            run.x0 = math.nan
        elif kind == "inf_x0":
            run.x0 = -math.inf
    return page


def _grouped(groups: list[list[Run]] | None) -> str | None:
    return None if groups is None else repr([[id(r) for r in g] for g in groups])


@settings(max_examples=500, deadline=None)
@given(odd_runs())
def test_compiled_grouping_equals_the_python_function_or_leaves_it_the_page(page):
    """The compiled grouping gives the Python function's groups, or None (then the Python
    function groups them, or raises as round() does) for a page with a coordinate that is not a
    float, a middle that is not finite or a left edge that is NaN."""
    assert pdftext.compiled is not None
    got = pdftext.compiled.group_runs(page)
    odd = any(type(r.top) is not float or type(r.bottom) is not float or type(r.x0) is not float
              or not math.isfinite((r.top + r.bottom) / 2) or math.isnan(r.x0) for r in page)
    assert (got is None) == odd
    if got is not None:
        assert _grouped(got) == _grouped(layout._group_runs(page))


def test_compiled_grouping_equals_the_python_function_on_every_bundled_and_real_pdf():
    assert pdftext.compiled is not None
    pages = 0
    for pdf in PDFS:
        for _, _, page_runs, _ in read_pdf(str(pdf)):
            assert _grouped(pdftext.compiled.group_runs(page_runs)) == _grouped(layout._group_runs(page_runs)), pdf.name
            pages += 1
    assert pages > 100


def test_lines_made_by_the_layout_equal_lines_made_by_their_class():
    """layout._line makes a Line without its __init__: the same fields in the same order, equal,
    hashed alike, the same repr and the same dict for the stage file; a field added to Line fails
    here until _line sets it."""
    import dataclasses
    import pickle

    from pipeline.models import Line
    for args in [("Sak 3/25 Budsjett", 2, True, 7, 1, 101.3), ("Vedtak:", 1, False, None, None, 88.0)]:
        made, plain = layout._line(*args), Line(*args)
        assert vars(made) == vars(plain) and list(vars(made)) == list(vars(plain))
        assert list(vars(made)) == [f.name for f in dataclasses.fields(Line)]
        assert made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
        assert pickle.loads(pickle.dumps(made)) == plain
        assert dataclasses.replace(made, text="x") == dataclasses.replace(plain, text="x")
    assert not hasattr(Line, "__post_init__")
