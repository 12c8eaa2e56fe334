"""The fast paths give what the plain ones give: PDF runs from text objects vs from hit tests,
one alternation vs each vocabulary pattern, workers started early vs started after the plan."""
from __future__ import annotations

import os
import re
import shutil
import time
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import RAW
from pipeline import vocab
from pipeline.builder import plan
from pipeline.builder.run import run as run_build
from pipeline.read import pdftext
from pipeline.warehouse import connection

PDFS = sorted(RAW.rglob("*.pdf"))


def _runs(path: Path) -> list[list[tuple]]:
    pages = []
    for _, _, runs, rules in pdftext.read_pdf(str(path)):
        pages.append([(r.text, round(r.x0, 2), round(r.x1, 2), round(r.top, 2), round(r.bottom, 2), r.bold, r.size)
                      for r in runs] + [("rules", tuple(rules.horizontal), tuple(rules.vertical), 0, 0, False, 0.0)])
    return pages


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_runs_from_text_objects_equal_runs_from_hit_tests(path, monkeypatch):
    """Every page of the bundled PDFs pairs its rectangles with its text objects, and the runs
    made that way have the texts, positions and boldness the per-rectangle hit tests give. Font
    sizes may differ where a run's object starts with a space: the hit test finds no character
    there and takes the rectangle's height; the object knows its font size."""
    paired_pages = []
    real = pdftext.geometry

    def spy(tp, n, texts, full):
        rects, firsts = real(tp, n, texts, full)
        paired_pages.append(firsts is not None)
        return rects, firsts

    monkeypatch.setattr(pdftext, "geometry", spy)
    fast = [run for page in _runs(path) for run in page]
    assert paired_pages and all(paired_pages)
    monkeypatch.setattr(pdftext, "geometry", lambda tp, n, texts, full: (real(tp, n, texts, full)[0], None))
    slow = [run for page in _runs(path) for run in page]
    assert [r[:6] for r in fast] == [r[:6] for r in slow]
    same_size = sum(a[6] == b[6] for a, b in zip(fast, slow))
    assert same_size >= 0.95 * len(fast), (same_size, len(fast))


def test_compiled_page_reader_gives_what_the_python_functions_give():
    """pipeline.read._pdfpage (built at install) against the Python functions it stands for, on every
    page of the bundled PDFs: the same objects, ruling lines, rectangles and first characters,
    also for object lists that do not pair (one missing, reversed, one changed)."""
    assert pdftext.compiled is not None, "pipeline.read._pdfpage was not built at install (is a C compiler there?)"
    pages = 0
    for path in PDFS:
        pdf = pdfium.PdfDocument(str(path))
        try:
            for i in range(len(pdf)):
                page = pdf[i]
                texts, rules = pdftext.page_objects(page)
                assert (texts, rules) == pdftext._page_objects(page)
                tp = page.get_textpage()
                raw = pdftext._handle(tp)
                n = pdftext._count_chars(raw)
                full = tp.get_text_range(0, n) if n else ""
                changed = texts[:1] + [texts[-1]] + texts[2:] if len(texts) > 2 else texts
                for variant in (texts, texts[1:], texts[::-1], changed):
                    assert pdftext.geometry(raw, n, variant, full) == pdftext._geometry(raw, n, variant, full)
                rects, firsts = pdftext.geometry(raw, n, texts, full)
                assert firsts is not None
                hit = [pdftext._first_char(raw, r, n) for r in rects]
                for starts in (firsts, hit, firsts[::-1], firsts[1:], [-1, *firsts[1:]]):
                    assert pdftext.run_texts(full, starts, n) == pdftext._run_texts(full, starts, n)
                    assert pdftext.run_texts(full, starts, n + 1) == pdftext._run_texts(full, starts, n + 1)
                tp.close()
                page.close()
                pages += 1
        finally:
            pdf.close()
    assert pages > 50


PAGE_CHARS = st.sampled_from([*"ab Å.-\r\n\t", "  ", "\r\n", "\x02", "\u00ad", "\u00a0", "\ufffe", "\uf0b7", "\u2003",
                               "\u0301", "o\u0308", "\u2013", "\x1c", "\x85", "\U0001f600"])


@settings(max_examples=500, deadline=None)
@given(st.lists(PAGE_CHARS, max_size=40).map("".join), st.lists(st.integers(-2, 50), max_size=8), st.integers(-1, 3))
def test_compiled_run_texts_give_what_the_python_function_gives(full, firsts, extra):
    """Each rectangle's text cut from made-up page texts at made-up first characters (out of
    order, out of range, a page text of another length): the compiled reader cleans the plain
    ones itself and hands the others to clean_text, as the Python function does."""
    assert pdftext.compiled is not None
    n = len(full) + (extra if extra < 2 else 0)
    assert pdftext.compiled.run_texts(full, firsts, n) == pdftext._run_texts(full, firsts, n)


def test_text_below_u0300_is_nfc_as_the_compiled_reader_takes_it():
    """run_texts leaves NFC to clean_text unless every character is below U+0300: each such
    character is its own NFC form, of combining class 0, and the second of no composition, so a
    text of them is NFC."""
    seconds = set()
    for code in range(0x110000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(int(parts[1], 16))
    assert seconds and min(seconds) >= 0x300
    for code in range(0x300):
        assert unicodedata.combining(chr(code)) == 0 and unicodedata.normalize("NFC", chr(code)) == chr(code)


def test_a_run_whose_text_is_not_one_line_of_the_page_text_is_read_by_its_rectangle(monkeypatch):
    """Where a rectangle's text cannot be cut from the page text (None), that rectangle's text comes
    from the bounded-text query: the same runs here."""
    pdf = pdfium.PdfDocument(str(PDFS[0]))
    try:
        page = pdf[0]
        texts, _ = pdftext.page_objects(page)
        expected = [(r.text, r.x0, r.x1, r.top, r.bottom, r.bold, r.size) for r in pdftext.page_runs(page, texts)]
        real = pdftext.run_texts
        monkeypatch.setattr(pdftext, "run_texts", lambda full, firsts, n: [None, *real(full, firsts, n)[1:]])
        got = [(r.text, r.x0, r.x1, r.top, r.bottom, r.bold, r.size) for r in pdftext.page_runs(page, texts)]
        assert got == expected and len(got) > 10
        page.close()
    finally:
        pdf.close()


def test_runs_fall_back_when_objects_and_rectangles_do_not_pair(monkeypatch):
    """An object list that does not match the rectangles (here: one object missing) is not used:
    the runs come from the hit tests, with the same texts and positions."""
    pdf = pdfium.PdfDocument(str(PDFS[0]))
    try:
        page = pdf[0]
        texts, _ = pdftext.page_objects(page)
        expected = [(r.text, r.x0, r.x1, r.top, r.bottom) for r in pdftext.page_runs(page, texts)]
        got = [(r.text, r.x0, r.x1, r.top, r.bottom) for r in pdftext.page_runs(page, texts[1:])]
        assert got == expected and len(got) > 10
        page.close()
    finally:
        pdf.close()


def _texts() -> list[str]:
    lines = {ln.strip() for p in [*RAW.rglob("*.txt"), *RAW.rglob("*.md")]
             for ln in p.read_text(encoding="utf-8").splitlines()}
    return sorted(lines | {"", "Vedtak:", "VEDTAK", "Sak 3/25", "sak 3/25 Budsjett", "2024.13 Tittel",
                           "1. Godkjenning", "Forslag til vedtak:", "Eventuelt", "Innkalling"})


def _pattern_sets() -> dict[str, vocab.Patterns]:
    from pipeline.values import _body_patterns
    v = vocab.load()
    out = {"bodies": _body_patterns().patterns}
    for name in v.__dataclass_fields__:
        value = getattr(v, name)
        if isinstance(value, vocab.Patterns):
            out[name] = value
        elif isinstance(value, vocab.Labelled):
            out[name] = value.patterns
    return out


def test_every_vocabulary_list_has_a_quick_test():
    sets = _pattern_sets()
    assert len(sets) >= 10
    assert all(s.union is not None for s in sets.values()), [n for n, s in sets.items() if s.union is None]


@pytest.mark.parametrize("name", sorted(_pattern_sets()))
def test_alternation_agrees_with_each_pattern(name):
    patterns = _pattern_sets()[name]
    for text in _texts():
        each = next(((i, p.match(text)) for i, p in enumerate(patterns) if p.match(text)), None)
        assert patterns.matches(text) == (each is not None), (name, text)
        assert patterns.found_in(text) == any(p.search(text) for p in patterns), (name, text)
        first = patterns.first(text)
        assert (first and (first[0], first[1].span())) == (each and (each[0], each[1].span())), (name, text)


def test_alternation_keeps_each_patterns_flags_and_groups():
    p = vocab.Patterns([re.compile(r"sak (?P<num>\d+)", re.I), re.compile(r"SSU (?P<num>\d+)")])
    assert p.union is not None
    assert p.matches("SAK 3") and p.matches("sak 3") and p.matches("SSU 4") and not p.matches("ssu 4")
    assert p.first("SSU 4")[0] == 1 and p.first("SSU 4")[1].group("num") == "4"
    assert vocab.Patterns([re.compile(r"(a)\1")]).union is None  # back-references: each pattern in turn
    assert vocab.Patterns([re.compile(r"(a)\1")]).matches("aa")


# --- workers started before the plan ------------------------------------------------------------

def _tables(db: Path) -> dict[str, int]:
    con = connection.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_type = 'BASE TABLE'").fetchall()}
    finally:
        con.close()


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Path, Path]:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    db = tmp_path / "m.duckdb"
    first = run_build(raw, db, tmp_path / "ex", jobs=2)
    assert first.failed == 0 and first.parsed > 5
    return raw, db


def _touch_all(raw: Path) -> None:
    later = time.time() + 5
    for p in raw.rglob("*"):
        if p.is_file():
            os.utime(p, (later, later))


def test_files_touched_but_unchanged_start_workers_and_read_nothing(built, tmp_path):
    raw, db = built
    before = _tables(db)
    _touch_all(raw)
    assert sorted(plan.files_newer_than(raw, db)) == plan.source_paths(raw)
    s = run_build(raw, db, tmp_path / "ex", jobs=2)
    assert (s.parsed, s.failed, s.skipped) == (0, 0, len(plan.source_paths(raw)))
    assert _tables(db) == before


def test_more_files_to_read_than_the_early_start_expected(built, tmp_path):
    """One file looks new by its time, but every file must be read again (an older pipeline
    version read them): the early pool is too small, a full one reads them all."""
    raw, db = built
    before = _tables(db)
    con = connection.connect(str(db))
    con.execute("UPDATE source_files SET pipeline_version = '0.0.0'")
    con.close()
    one = sorted(raw.rglob("*.pdf"))[0]
    later = time.time() + 5
    os.utime(one, (later, later))
    assert len(plan.files_newer_than(raw, db)) == 1
    s = run_build(raw, db, tmp_path / "ex", jobs=2)
    assert s.failed == 0 and s.parsed == before["source_files"]
    assert _tables(db) == before


def test_a_file_whose_rows_cannot_be_derived_is_recorded_and_the_rest_load(tmp_path, monkeypatch):
    """Rows are derived in the build process, after the workers: a file whose derivation fails
    is recorded with the reason (a parallel build), the other files load."""
    from pipeline import derive
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    frames = derive.frames

    def broken(ex):
        if ex.source.path.endswith("ssu-2025-03-07-referat.pdf"):
            raise ValueError("no rows for this file")
        return frames(ex)

    monkeypatch.setattr(derive, "frames", broken)
    db = tmp_path / "m.duckdb"
    s = run_build(raw, db, tmp_path / "ex", jobs=2)
    assert [(Path(f["path"]).name, f["reason"]) for f in s.failures] == \
        [("ssu-2025-03-07-referat.pdf", "ValueError: no rows for this file")]
    assert s.parsed == len(plan.source_paths(raw)) - 1
    assert _tables(db)["load_errors"] == 1


# --- outcomes collected by a thread ------------------------------------------------------------

def _numbers(n: int, log: list[str]):
    try:
        for i in range(n):
            log.append(f"made {i}")
            yield i
    finally:
        log.append("closed")


def test_collected_outcomes_come_in_order_and_all():
    from pipeline.builder import workers
    log: list[str] = []
    assert list(workers.collected(_numbers(1000, log), depth=8)) == list(range(1000))
    assert log[-1] == "closed"


def test_collected_runs_ahead_of_a_busy_caller_up_to_its_depth():
    from pipeline.builder import workers
    log: list[str] = []
    it = workers.collected(_numbers(100, log), depth=5)
    assert next(it) == 0
    time.sleep(0.3)  # the caller is busy: the thread goes on, up to the depth
    made = sum(1 for x in log if x.startswith("made"))
    assert 6 <= made <= 8  # one given out, five waiting, at most one more in hand, the next blocked
    it.close()


def test_a_caller_that_stops_early_closes_the_source():
    from pipeline.builder import workers
    log: list[str] = []
    it = workers.collected(_numbers(10_000, log), depth=4)
    assert [next(it) for _ in range(3)] == [0, 1, 2]
    it.close()
    assert log[-1] == "closed" and len(log) < 20


def test_an_error_in_the_source_reaches_the_caller_after_what_came_before():
    from pipeline.builder import workers

    def failing():
        yield 1
        yield 2
        raise RuntimeError("pool broke")

    got = []
    with pytest.raises(RuntimeError, match="pool broke"):
        for x in workers.collected(failing()):
            got.append(x)
    assert got == [1, 2]


# --- one split into words for search terms and topics ------------------------------------------

def test_terms_and_topics_from_one_split_equal_each_alone():
    from pipeline import derive, extract, nlp
    for path in sorted(RAW.rglob("*.txt")):
        ex, _ = extract.run(path, RAW)
        for case in (c for d in ex.documents for c in d.cases):
            counts, topics = derive.terms_and_topics(case.title, case.text, case.decision)
            alone = [t for part in (case.title, case.text, case.decision) for t in nlp.terms(part)]
            assert sorted(counts.elements()) == sorted(alone)
            assert topics == nlp.topics(case.title, case.text, case.decision)


def test_a_word_cut_before_og_still_names_its_topic():
    """"rekrutterings- og samhandlingstilskudd": the first word's stem is the topic's word."""
    from pipeline import nlp
    assert "kompetanse og rekruttering" in nlp.topics("Rekrutterings- og samhandlingstilskudd")
    assert "utskrivning og pasientforløp" in nlp.topics("Status", "Henvisnings- og inntaksprosess. Pasientforløp.")


def test_a_phrase_does_not_match_across_the_parts_of_a_case():
    """A topic phrase split between the end of the title and the start of the decision is no mention."""
    from pipeline import nlp
    single = {nlp.terms(a)[0] for names in vocab.taxonomy().topics.values() for a in names if len(nlp.words(a)) == 1}
    topic, first, second = next((t, *nlp.words(a)) for t, names in vocab.taxonomy().topics.items() for a in names
                                if len(nlp.words(a)) == 2 and not single & set(nlp.terms(a)))
    assert topic in nlp.topics(f"Om {first} {second}")
    assert topic not in nlp.topics(f"Sak om {first}", None, f"{second} vedtas")


# --- stage files --------------------------------------------------------------------------------

def test_json_written_as_the_standard_library_writes_it():
    import json

    from pipeline import extract
    for path in sorted(RAW.rglob("*.txt")):
        ex, pages = extract.run(path, RAW)
        for data in (ex.to_dict(), extract.pages_to_dict(ex.source, pages)):
            assert extract.to_json(data) == json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2)
            compact = extract.json_bytes(data, pretty=False)
            assert b"\n" not in compact and json.loads(compact) == data
    assert "æøå" in extract.to_json({"t": "æøå"})
