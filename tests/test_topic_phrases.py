"""Topics and organisations are found with dictionaries of the taxonomy's phrases as stems
(nlp.Phrases): the places and names found are the ones a spaCy PhraseMatcher over the same stems
finds (the way they were found before; spaCy is the reference here only)."""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import RAW
from pipeline import extract, nlp, vocab


class SpacyReference:
    """PhraseMatchers over spaCy documents whose token norms are the words' stems."""

    def __init__(self) -> None:
        from spacy.matcher import PhraseMatcher
        from spacy.vocab import Vocab

        self.vocab = Vocab()
        self.matchers: dict[str, Any] = {}
        for name, table in (("topics", vocab.taxonomy().topics), ("orgs", vocab.taxonomy().organisations)):
            m = PhraseMatcher(self.vocab, attr="NORM")
            for canonical, aliases in table.items():
                m.add(canonical, [self.doc(nlp.words(a)) for a in sorted({*aliases, canonical})])
            self.matchers[name] = m

    def doc(self, words: list[str]) -> Any:
        from spacy.tokens import Doc

        for word, stem in zip(words, nlp.stems(words)):
            self.vocab[word].norm_ = stem
        return Doc(self.vocab, words=words)

    def spans(self, name: str, words: list[str]) -> list[tuple[str, int, int]]:
        if not words:
            return []
        return [(self.vocab.strings[mid], s, e) for mid, s, e in self.matchers[name](self.doc(words))]


@lru_cache(maxsize=1)
def spacy() -> SpacyReference:
    return SpacyReference()


def spacy_topics(words: list[str]) -> Counter[str]:
    return Counter(label for label, _, _ in spacy().spans("topics", words))


def spacy_organisation(text: str | None) -> str | None:
    if not text:
        return None
    for part in nlp.NAME_PARTS.split(text):
        words = nlp.words(part)
        whole = sorted({label for label, s, e in spacy().spans("orgs", words) if s == 0 and e == len(words)})
        assert len(whole) <= 1, whole  # no two names of the taxonomy share an alias
        if whole:
            return whole[0]
    return None


def found(words: list[str]) -> Counter[str]:
    return Counter(nlp.matchers().topics.labels_in(nlp.stems(words)))


TAX = vocab.taxonomy()
ALIASES = sorted({a for names in TAX.topics.values() for a in names} | set(TAX.topics))
ORGS = sorted({a for names in TAX.organisations.values() for a in names} | set(TAX.organisations))
FILLER = ["og", "i", "til", "for", "saken", "styret", "kommunene", "barn", "unge", "helse", "planen"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ALIASES + FILLER), max_size=12))
def test_topic_places_equal_the_phrase_matchers(parts):
    words = nlp.words(" ".join(parts))
    assert found(words) == spacy_topics(words)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*ORGS, *FILLER, ",", " (", ")", " - ", "/", "Hamar"]), max_size=6))
def test_organisation_names_equal_the_phrase_matchers(parts):
    text = " ".join(parts)
    assert nlp.organisation(text) == spacy_organisation(text)


def test_every_bundled_case_and_attendee_equals_the_phrase_matchers():
    cases = attendees = 0
    for path in sorted(RAW.rglob("*")):
        if path.suffix not in (".pdf", ".txt", ".md"):
            continue
        ex, _ = extract.run(path, RAW)
        for case in (c for d in ex.documents for c in d.cases):
            for part in (case.title, case.text, case.decision):
                assert found(nlp.words(part)) == spacy_topics(nlp.words(part)), (path.name, part)
            cases += 1
        for a in (a for d in ex.documents for a in d.attendees):
            for text in (a.organization, a.title):
                assert nlp.organisation(text) == spacy_organisation(text), (path.name, text)
            attendees += 1
    assert cases > 50 and attendees > 50
