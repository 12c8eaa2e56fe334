"""The parser's quick tests give what the plain patterns give."""
from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline import vocab
from pipeline.parse import header

TITLES = [vocab.load().chair_titles, vocab.load().minute_taker_titles, frozenset({"leder", "styreleder", "ab"}),
          frozenset({"x"}), frozenset({"", "leder"})]
PIECES = st.sampled_from([*"lLsSkKrRmMpPæÆøØåÅ .,:", "\u212a", "\u017f", "\u0130", "\u0131", "eder", "LEDER", "Leiar",
                          "sekretær", "SEKRETÆR", "Referent", "skrivar", "protokollfører", "møte", "styre", "utvalgs"])


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(TITLES), st.lists(st.lists(st.sampled_from([*PIECES.elements, "\n"]), max_size=6).map("".join),
                                         max_size=8))
def test_the_lines_holding_a_title_are_those_the_title_hint_finds_one_by_one(titles, texts):
    hint = header._titles_re(titles)
    assert header.lines_holding(titles, texts) == [k for k, t in enumerate(texts) if hint.search(t)]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(TITLES), st.lists(PIECES, max_size=12).map("".join))
def test_title_hint_finds_a_line_exactly_when_any_title_occurs(titles, text):
    plain = re.compile("|".join(sorted(map(re.escape, titles))), re.I)
    assert bool(header._titles_re(titles).search(text)) == bool(plain.search(text))


# --- the reflow's cue search ---------------------------------------------------------------------

GUARD = re.compile(r"\(\?=\\w\+\+ [a-zæøå]+\)")


def plain_cue() -> re.Pattern[str]:
    """The cue pattern without its quick tests (word_led, guard_words, by_first_letter, the '\\b' before
    the cues that start a word): the plain alternation of the cues."""
    return vocab._reflow_cue(vocab.toml_data(), quick=False)


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def test_the_cue_search_has_its_quick_tests():
    cue = vocab.load().reflow_cue.pattern
    assert cue.startswith("(?=\\w)(?:\\b(?:") and len(GUARD.findall(cue)) >= 5
    assert "M(?:øte" in cue and "Møtegruppe" not in cue  # the labels gathered by first letter


def test_cues_found_with_the_quick_tests_equal_the_plain_pattern_on_every_bundled_file():
    from conftest import RAW
    from pipeline.read import ingest, lines
    plain, cue, texts = plain_cue(), vocab.load().reflow_cue, 0
    for path in sorted(RAW.rglob("*")):
        if path.suffix in (".pdf", ".txt", ".md"):
            for page in lines.run(ingest.run(path, RAW)):
                text = " ".join(ln.text for ln in page.lines)
                assert spans(cue, text) == spans(plain, text), path.name
                text = text.replace(":", ";")  # the cues that need no ':' find in it what all of them find
                assert spans(vocab.load().reflow_cue_without_colon, text) == spans(plain, text), path.name
                texts += 1
    assert texts > 50


CUE_PIECES = st.sampled_from(["Styrets forslag til vedtak", "Direktørens innstilling", "styrets vedtak",
                              "Kari si tilråding",
                              "Ola sitt framlegg til vedtak", "Styret fattet følgende vedtak", "Vedtak:", "Sak 12/24",
                              "SSU 3/25", "Tid:", "Sted :", "Navn Tilstede", "(", ")", ":", " ", ".", "ens", "s", "x",
                              "Forslag til vedtak", "ForNavn Tilstede", "Referent: Per", " Ås-Hansen: ", "\u017f", "_",
                              "1", "–", "«", "Møteleder:", "FORSLAG TIL VEDTAK "])


@settings(max_examples=500, deadline=None)
@given(st.lists(CUE_PIECES, max_size=14).map("".join))
def test_cues_found_with_the_quick_tests_equal_the_plain_pattern(text):
    assert spans(vocab.load().reflow_cue, text) == spans(plain_cue(), text)
    without_colon = text.replace(":", " ")
    assert spans(vocab.load().reflow_cue_without_colon, without_colon) == spans(plain_cue(), without_colon)


@pytest.mark.parametrize("pattern,led", [
    (r"\bfoo|bar\s?:", True), (r"(?<=[\w)] )[A-ZÆØÅ]\w+", True), (r"(?:[A-Z]{2,3}-|PS\s?)?sak", True),
    (r"\(x\)|a", False), (r"a?", False), (r"(?:a|\s)b", False), (r"x?-", False), (r".a", False), (r"[^a]", False),
])
def test_only_patterns_that_start_with_a_word_character_get_the_quick_test(pattern, led):
    assert vocab.word_led(re.compile(pattern)).pattern.startswith("(?=\\w)") == led


ALTERNATIVES = st.lists(st.sampled_from([
    "Møte", "møtested", "Mø", "M", "m", "møte", "MØTES", "Sted", "sted", "Stad", "s", "S", "Dato", "Dato\\ og\\ sted",
    "Dato/sted", "[\\wæøå]+s forslag", "Til", "til\\ stede", "Tid(?:spunkt)?", "Ø", "ø", "Å", "K", "k", "I", "i",
    "Sak|Tid", "S?ted", "T[]|]id", "M[^]|]te", "D(?:a|to)|Sted", "Mø\\|", "S+", "K{1,2}"]),
    min_size=1, max_size=10)
MATCH_PIECES = st.sampled_from([*"MmSsDdTtØøÅåKkIi :/", "\u212a", "\u017f", "\u0130", "\u0131", "\u212b", "øte",
                                "ted", "ato", "og", "il", "sted", "forslag", "styrets", "id", "spunkt"])


@settings(max_examples=1000, deadline=None)
@example(["MØTES", "møte", "M"], True, "møte")  # 'm' and 'M' one letter when case is ignored
@example(["Mx", "m", "M"], False, "m")  # … and two when it is not
@example(["Sak|Tid"], True, "Tid")  # not a letter followed by the rest
@example(["S?ted"], True, "ted")
@given(ALTERNATIVES, st.booleans(), st.lists(MATCH_PIECES, max_size=12).map("".join))
def test_alternatives_gathered_by_first_letter_match_as_the_plain_alternation(alts, ignorecase, text):
    flags = re.I if ignorecase else 0
    for after in (r"\s?:", r"\b", ""):
        plain = re.compile(rf"\b(?:{'|'.join(alts)}){after}", flags)
        gathered = re.compile(rf"\b(?:{vocab.by_first_letter(alts, ignorecase)}){after}", flags)
        assert spans(gathered, text) == spans(plain, text)


# --- verdicts on a line's text, worked out once per text ------------------------------------------

def test_verdicts_remembered_per_text_are_values_that_cannot_be_changed():
    """A remembered verdict is handed to every later caller: a list or dict there could be changed
    by one of them and be wrong for the next."""
    from conftest import RAW
    from pipeline.parse import cases, recognisers
    from pipeline.read import ingest, lines
    texts = [ln.text for path in sorted(RAW.rglob("*.pdf"))[:4] for page in lines.run(ingest.run(path, RAW))
             for ln in page.lines]
    verdicts = [f(t) for t in texts for f in (recognisers.case_start, recognisers.label_value, recognisers.is_name,
                                              cases._label_of)]
    assert any(verdicts) and all(v is None or isinstance(v, (bool, tuple)) and all(
        isinstance(x, (int, str)) for x in (v if isinstance(v, tuple) else ())) for v in verdicts)
    assert recognisers.case_start.cache_info().hits + recognisers.case_start.cache_info().misses > 0


# --- votes: texts that mention no vote are passed over with one search ------------------------------

VOTE_PIECES = st.sampled_from(["vedtatt", "Vedteke", "godkjent", " med ", " mot ", "to", "20", "15", " stemmer",
                               " stemme",
                               " stemte for", "STEMTE", "\u017ftemte", "Enstemmig", "enstemm\u0131g", "ENSTEMM\u0130G",
                               "samrøystes", "SAMRØYSTES",
                               "einstemmig", " ", ".", ",", "x", "e", "n", "s", "t", "m"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(VOTE_PIECES, max_size=12).map("".join))
def test_a_text_any_vote_pattern_finds_is_one_the_quick_search_finds(text):
    from pipeline.parse import votes
    if any(p.search(text) for p in votes.PATTERNS):
        assert votes.MENTIONS.search(text)
    for pattern in votes.PATTERNS:  # and each pattern's own word, where that pattern finds a vote
        if pattern.search(text):
            assert votes.NEEDS[pattern].search(text)


HINT_PIECES = st.sampled_from(["hilsen", "HELSING", "innkalling", "framlegg", "fremlegg", "møtebok", "Protokoll",
                               "fattet",
                               "til vedtak", "Innstilling", "tilråd", "vedtak", "konklusjon", "navn", "NAMN", "\u212a",
                               "\u017f", "\u0130", "\u0131", "\u212b", *"hHiIfFmMpPtTvVkKnN ", "ilsen", "nnstilling"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(HINT_PIECES, max_size=10).map("".join))
def test_the_reflow_hint_occurs_exactly_where_one_of_its_words_does(text):
    plain = re.compile("|".join(vocab.toml_data()["reflow"]["hints"]), re.I)
    assert vocab.load().reflow_hint.pattern.startswith("(?=[")
    assert bool(vocab.load().reflow_hint.search(text)) == bool(plain.search(text))


def test_what_the_parser_remembers_of_lines_is_forgotten_at_each_file():
    """A file's reading neither depends on the files read before it in the same worker nor is sped
    up by them (the benchmark corpus holds copies of the same documents): reading a file twice
    asks and finds the same as reading it once."""
    from pathlib import Path

    from pipeline import extract
    pdf = sorted((Path(__file__).resolve().parents[1] / "raw").rglob("*.pdf"))[0]
    extract.run(pdf)
    once = [c.cache_info() for c in vocab._TEXT_CACHES]
    extract.run(pdf)
    assert [c.cache_info() for c in vocab._TEXT_CACHES] == once
    assert len(vocab._TEXT_CACHES) >= 8 and any(info.hits for info in once)


# --- searching a list of patterns behind a look at their first characters ----------------------------

def _searched() -> list[vocab.Patterns]:
    from pipeline import values
    v = vocab.load()
    return [values._body_patterns().patterns, v.title_words.patterns, v.organisations, v.attendee_notes,
            v.cues.patterns, v.headings.patterns, v.case_families]


SEARCH_PIECES = st.sampled_from([*"sSfFlLoOaAbBgGpPiI -/.,:(", "\u017f", "\u212a", "\u212b", "\u0130", "\u0131",
                                 "samarbeidsutvalg", "SAMARBEIDSUTVAL", "Strategisk", "Faglig", "Lokalt", "SSU", "FSU",
                                 "AU", "PM", "GSU", "Helse", "Helsefellesskap", "kommune", "innspill til", "styresak",
                                 "Protokoll", "REFERAT", "innkalling", "Sak 12/24", "møte", "forfall"])


@settings(max_examples=1500, deadline=None)
@given(st.integers(0, 6), st.lists(SEARCH_PIECES, max_size=14).map("".join))
@example(3, "Strategisk samarbeidsutvalg")
@example(0, "\u017fTRATEGISK SAMARBEIDSUTVALG")  # long s: the same letter ignoring case
def test_patterns_searched_behind_their_first_characters_find_what_the_plain_patterns_find(k, text):
    patterns = _searched()[k]
    plain_first = next(((i, p.search(text)) for i, p in enumerate(patterns) if p.search(text)), None)
    got = patterns.first(text, search=True)
    assert (got is None) == (plain_first is None)
    if got is not None and plain_first is not None:
        assert got[0] == plain_first[0]
        assert got[1].span() == plain_first[1].span() and got[1].groups() == plain_first[1].groups()
        assert got[1].groupdict() == plain_first[1].groupdict()
    assert patterns.found_in(text) == any(p.search(text) for p in patterns)


def test_a_pattern_that_may_open_with_any_character_is_searched_as_it_is():
    assert vocab.guarded(re.compile(r"\w+ sak"), [re.compile(r"\w+ sak")]).pattern == r"\w+ sak"
    assert vocab.guarded(re.compile(r"(?:nr )?sak"), [re.compile(r"(?:nr )?sak")]).pattern == r"(?:nr )?sak"
    assert vocab.guarded(re.compile(r"\bsak|møte"), [re.compile(r"\bsak|møte")]).pattern.startswith("(?=(?i:[ms]))")
