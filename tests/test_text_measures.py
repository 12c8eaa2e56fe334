"""ocr.measure, which decides whether a page's text layer is read or the page is read by OCR, runs
on every PDF page: its fast paths (printable text told at C speed, each word classified once) give
exactly the measures of the plain character-by-character definition below."""
from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import RAW, SHARED
from pipeline.read import ocr, pdftext


def reference(text: str) -> tuple[int, float, int, float]:
    """The definition: every non-space character, junk if unassigned, private, a surrogate, a
    control or U+FFFD ('(cid:N)' counts as one); every token with a letter, after its edge
    punctuation is stripped, and whether it looks like a word."""
    chars = junk = 0
    for ch in ocr._CID.sub("\ufffd", text):
        if ch.isspace():
            continue
        chars += 1
        if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"):
            junk += 1
    tokens = [t.strip(ocr._EDGE) for t in re.findall(r"\S+", text)]
    lettered = [t for t in tokens if any(c.isalpha() for c in t)]
    good = sum(1 for t in lettered if ocr._wordlike(t))
    return chars, junk / chars if chars else 0.0, len(lettered), good / len(lettered) if lettered else 1.0


def measured(text: str) -> tuple[int, float, int, float]:
    m = ocr.measure(text)
    return m.chars, m.junk, m.words, m.wordlike


ALPHABET = st.sampled_from([*"abcæøå ABCÆØÅ 019 .,-'’«»()/:", "\ufffd", "\x00", "\x07", "\u200b", "\ue000",
                            "\ud800", "\u0378", "(cid:12)", "\t", "\n", "\u00a0", "\u2028", "\u3000", "xkcdqwrtp",
                            "Helse", "SSU", "2024/13b", "kl.", "Ås-Hansen", "\u0301"])


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_measure_equals_the_character_by_character_definition(text):
    assert measured(text) == reference(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_measure_equals_the_definition_on_any_unicode(text):
    assert measured(text) == reference(text)


def test_measure_equals_the_definition_on_every_page_of_the_bundled_and_real_pdfs():
    pages = 0
    for pdf in sorted([*RAW.rglob("*.pdf"), *(SHARED / "real").rglob("*.pdf")]):
        for _, _, runs, _ in pdftext.read_pdf(str(pdf)):
            text = " ".join(r.text for r in runs)
            assert measured(text) == reference(text), (pdf.name, text[:200])
            pages += 1
    assert pages > 100


def test_measure_equals_the_definition_when_the_remembered_token_kinds_are_cleared(monkeypatch):
    """Each token's kind is remembered once per process, up to a limit; past it the memory is
    cleared and the measures stay those of the definition."""
    monkeypatch.setattr(ocr, "_KINDS_KEPT", 3)
    monkeypatch.setattr(ocr, "_KINDS", {})
    texts = ["Saken ble vedtatt uten merknader", "xkcdqwrtp SSU 2024/13b kl. Ås-Hansen", "Helse Helse og og",
             "\ufffd\ufffd (cid:3) sak", "Vedtak: saken tas til orientering", "Saken ble vedtatt uten merknader"]
    for text in texts * 2:
        assert measured(text) == reference(text)
        assert len(ocr._KINDS) <= 3 + len(set(text.split()))


def reference_problem(text: str) -> str | None:
    """text_layer_problem as defined on the measures."""
    m = ocr.measure(text)
    if m.chars < ocr.MIN_CHARS:
        return ocr.NO_TEXT
    if m.junk > 0.10:
        return f"a text layer that is mostly junk ({m.junk:.0%} of its characters are not text)"
    if m.words >= 5 and m.wordlike < 0.5:
        return f"a text layer that is mostly junk (only {m.wordlike:.0%} of its words look like words)"
    return None


WORDS = st.sampled_from(["saken", "Helse", "og", "xkcdqwrtp", "zzzz", "Qwghlm", "3a", "–", "\ufffd", "kl.", "SSU",
                         "aaaa", "(cid:7)", "\x07", "Ås-Hansen"])


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=300).map(" ".join), st.sampled_from([1, 3, 64]))
def test_the_problem_settled_early_is_the_problem_the_measures_give(text, chunk):
    """text_layer_problem stops classifying words once the rest cannot change its answer; its
    answer (and message) is the one the full measures give, pages of up to 300 tokens, chunks of
    1, 3 and 64 tokens."""
    saved = ocr._CHUNK
    ocr._CHUNK = chunk
    try:
        assert ocr.text_layer_problem(text) == reference_problem(text)
    finally:
        ocr._CHUNK = saved


def test_the_problem_equals_the_measures_on_every_page_of_the_bundled_and_real_pdfs():
    pages = 0
    for pdf in sorted([*RAW.rglob("*.pdf"), *(SHARED / "real").rglob("*.pdf")]):
        for _, _, runs, _ in pdftext.read_pdf(str(pdf)):
            text = " ".join(r.text for r in runs)
            assert ocr.text_layer_problem(text) == reference_problem(text), pdf.name
            pages += 1
    assert pages > 100
