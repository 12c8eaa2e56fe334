"""The taxonomy's phrase matchers (pipeline/nlp.py) find what spaCy's PhraseMatcher on token norms
(the words' stems) finds, on every text document of the corpora."""
from __future__ import annotations

import pytest

from pipeline import nlp, vocab

from .conftest import RAW, ROOT, SHARED

spacy = pytest.importorskip("spacy")


def _texts() -> list[str]:
    folders = [RAW, ROOT / "tests" / "corpus" / "docs", SHARED / "real" / "docs"]
    paths = sorted(p for f in folders if f.is_dir() for p in f.rglob("*") if p.suffix in (".txt", ".md"))
    assert len(paths) >= 20, paths
    return [p.read_text("utf-8", errors="replace") for p in paths]


class _SpacyMatchers:
    """The taxonomy in spaCy PhraseMatchers, each word's lexeme norm its stem."""

    def __init__(self) -> None:
        from spacy.matcher import PhraseMatcher
        from spacy.tokens import Doc
        from spacy.vocab import Vocab

        self.vocab, self.make = Vocab(), Doc
        tax = vocab.taxonomy()
        self.matchers = {}
        for name, table in (("orgs", tax.organisations), ("topics", tax.topics)):
            m = PhraseMatcher(self.vocab, attr="NORM")
            for canonical, aliases in table.items():
                m.add(canonical, [self.doc(nlp.words(a)) for a in sorted({*aliases, canonical})])
            self.matchers[name] = m

    def doc(self, word_list: list[str]):
        for word, stem in zip(word_list, nlp.stems(word_list)):
            self.vocab[word].norm_ = stem
        return self.make(self.vocab, words=word_list)

    def find(self, name: str, word_list: list[str]) -> list[tuple[str, int, int]]:
        return sorted((self.vocab.strings[mid], s, e) for mid, s, e in self.matchers[name](self.doc(word_list)))


def test_phrases_find_what_spacy_phrase_matcher_finds_on_the_corpora():
    theirs = _SpacyMatchers()
    ours = nlp.matchers()
    found = 0
    for text in _texts():
        words = nlp.words(text)
        words = [*words[: len(words) // 2], nlp.PART_BREAK, *words[len(words) // 2:]]  # as between a case's parts
        for name, phrases in (("orgs", ours.orgs), ("topics", ours.topics)):
            expected = theirs.find(name, words)
            assert sorted(phrases.find(nlp.stems(words))) == expected, name
            found += len(expected)
    assert found > 500  # the comparison covers many matches, overlapping ones among them


def test_overlapping_and_nested_phrases_are_all_found():
    phrases = nlp.Phrases({"a": ["psykisk helse", "psykisk helse og rus"], "b": ["helse"], "c": ["rus"]})
    got = phrases.find(nlp.terms("psykisk helse og rus, helse"))
    assert sorted(got) == [("a", 0, 2), ("a", 0, 4), ("b", 1, 2), ("b", 4, 5), ("c", 3, 4)]


def test_a_phrase_stated_twice_under_one_label_matches_once():
    phrases = nlp.Phrases({"Helse Sør-Øst": ["helse sør-øst", "Helse Sør-Øst", "HSØ"]})
    assert phrases.find(nlp.terms("Helse sør-øst og HSØ")) == [("Helse Sør-Øst", 0, 3), ("Helse Sør-Øst", 4, 5)]
