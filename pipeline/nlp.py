"""Language tools built once: spaCy PhraseMatchers from pipeline/data/taxonomy.toml for
organisation names and topics, over documents whose token norms are Snowball stems. Matching is
case-insensitive and stem-aware ("rehabiliteringen" matches "rehabilitering").

A text is split into words once (`words`): the same words give the search terms and the tokens the
matchers read, so spaCy's tokenizer is not run; its documents are made from the words directly.
Nothing is downloaded: no trained model is needed."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import Stemmer

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

from . import vocab

WORD = re.compile(r"[0-9a-zæøåéüöä]+")  # of a casefolded text


@lru_cache(maxsize=1)
def stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("norwegian")


def words(text: str | None) -> list[str]:
    """The words of a text, in lower case (casefolded)."""
    return WORD.findall(text.casefold()) if text else []


def stems(word_list: Sequence[str]) -> list[str]:
    return stemmer().stemWords(word_list) if word_list else []


def terms(text: str | None) -> list[str]:
    """Search terms of a text: its words stemmed (the same for documents and queries)."""
    return stems(words(text))


class Matchers:
    """spaCy is imported here, on first use: commands that never match text do not pay for it."""

    def __init__(self) -> None:
        from spacy.tokens import Doc
        from spacy.vocab import Vocab

        self._doc = Doc
        self.vocab = Vocab()
        self.stemmed: set[str] = set()  # words whose lexeme in this vocab has its stem as norm
        tax = vocab.taxonomy()
        self.orgs = self._matcher(tax.organisations)

    def doc(self, word_list: list[str]) -> Doc:
        """A spaCy document of these words, each token's norm its stem. A word's stem becomes its
        lexeme's norm once per word seen: tokens read their norm from the lexeme, so no Token
        object is made per token."""
        new = set(word_list) - self.stemmed
        if new:
            fresh = list(new)
            for word, stem in zip(fresh, stems(fresh)):
                self.vocab[word].norm_ = stem
            self.stemmed.update(fresh)
        return self._doc(self.vocab, words=word_list)

    def _matcher(self, table: dict[str, list[str]]) -> PhraseMatcher:
        from spacy.matcher import PhraseMatcher

        m = PhraseMatcher(self.vocab, attr="NORM")
        for canonical, aliases in table.items():
            m.add(canonical, [self.doc(words(a)) for a in sorted({*aliases, canonical})])
        return m

    def matches(self, matcher: PhraseMatcher, word_list: list[str]) -> list[tuple[str, int, int]]:
        """(label, first token, end token) of each match, earliest first, the longest first among equals."""
        if not word_list:
            return []
        found = [(self.vocab.strings[mid], s, e) for mid, s, e in matcher(self.doc(word_list))]
        return sorted(found, key=lambda x: (x[1], -(x[2] - x[1])))


@lru_cache(maxsize=1)
def matchers() -> Matchers:
    return Matchers()


TOPIC_MIN_EVIDENCE = 2  # a mention in the title or the decision is enough; in the text, two


def topics(title: str | None, text: str | None = None, decision: str | None = None) -> list[str]:
    """Topics of the taxonomy a case is about, in taxonomy order. A passing mention is not enough:
    each mention in the title counts 2, in the decision 2, in the case text 1, and a topic needs
    TOPIC_MIN_EVIDENCE (one word such as "barn" in a long case paper does not make it a case about
    children)."""
    return topics_in(words(title), words(text), words(decision))


def topics_in(title: list[str], text: list[str], decision: list[str]) -> list[str]:
    """`topics` of a case whose parts are already split into words."""
    return topics_of_stems(stems(title), stems(text), stems(decision))


def topics_of_stems(title: list[str], text: list[str], decision: list[str]) -> list[str]:
    """`topics` of a case whose parts are already split into words and stemmed. A phrase is
    matched within one part, never across two."""
    found = topic_phrases()
    evidence: dict[str, int] = {}
    for part, weight in ((title, 2), (decision, 2), (text, 1)):
        for label in found.labels_in(part):
            evidence[label] = evidence.get(label, 0) + weight
    return [t for t in vocab.taxonomy().topics if evidence.get(t, 0) >= TOPIC_MIN_EVIDENCE]


class Phrases:
    """The names and aliases of a taxonomy table as sequences of stems, found in a text's stems
    with a dictionary of first stems (what a spaCy PhraseMatcher on the stems finds, without
    making a spaCy document per text)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for canonical, aliases in table.items():
            for alias in sorted({*aliases, canonical}):
                phrase = tuple(terms(alias))
                entry = (phrase[1:], canonical)
                if phrase and entry not in self.by_first.setdefault(phrase[0], []):
                    self.by_first[phrase[0]].append(entry)

    def labels_in(self, text: list[str]) -> list[str]:
        """The label of each place a phrase occurs in `text` (stems): once per phrase and place."""
        labels: list[str] = []
        for first in self.by_first.keys() & set(text):
            places: list[int] | None = None
            for rest, label in self.by_first[first]:
                if not rest:
                    labels.extend([label] * text.count(first))
                    continue
                if places is None:
                    places = [i for i, s in enumerate(text) if s == first]
                n = len(rest)
                labels.extend(label for i in places if tuple(text[i + 1:i + 1 + n]) == rest)
        return labels


@lru_cache(maxsize=1)
def topic_phrases() -> Phrases:
    return Phrases(vocab.taxonomy().topics)


NAME_PARTS = re.compile(r"[,;:()/]|\s[-–—]\s")  # "OUS, Klinikk psykisk helse", "Helseetaten (sekretariat)"


@lru_cache(maxsize=8192)
def organisation(text: str | None) -> str | None:
    """The canonical name of the organisation a text names: the first part of it (parts split at
    commas, brackets, slashes and dashes) that an alias of the taxonomy matches whole, word stem
    by word stem. An alias never matches part of a name: "Hamar kommune" is no alias's, and stays
    as written."""
    if not text:
        return None
    m = matchers()
    for part in NAME_PARTS.split(text):
        tokens = words(part)
        whole = [label for label, s, e in m.matches(m.orgs, tokens) if s == 0 and e == len(tokens)]
        if whole:
            return whole[0]
    return None


def outcome(decision: str | None) -> str | None:
    """approved | noted | postponed | rejected | other, from the decision's words."""
    if not decision:
        return None
    text = " ".join(decision.casefold().split())
    for cls, phrases in vocab.taxonomy().outcomes.items():
        if any(p.casefold() in text for p in phrases):
            return cls
    return "other"
