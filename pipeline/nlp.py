"""Language tools built once: phrase matchers from pipeline/data/taxonomy.toml for organisation
names and topics, over the Snowball stems of a text's words. Matching is case-insensitive and
stem-aware ("rehabiliteringen" matches "rehabilitering").

A text is split into words once (`words`): the same words give the search terms and the stems the
matchers read. A phrase is the stems of an alias's words; it matches wherever the same stems
follow each other, every match reported, overlapping ones too (what spaCy's PhraseMatcher on token
norms gives, `tests/test_nlp.py` checks that on the corpus, in a few milliseconds instead of a
second of importing spaCy). Nothing is downloaded: no trained model is needed."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import Stemmer

from . import vocab

WORD = re.compile(r"[0-9a-zæøåéüöä]+")  # of a casefolded text
PART_BREAK = "\n"  # a token between the parts of a case: no phrase matches across it


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


class Phrases:
    """Phrases under labels (an alias under its canonical name), found in a text's stems. A phrase
    stated twice under one label is one phrase."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for label, aliases in table.items():
            known: set[tuple[str, ...]] = set()
            for alias in sorted({*aliases, label}):
                phrase = tuple(terms(alias))
                if phrase and phrase not in known:
                    known.add(phrase)
                    self.by_first.setdefault(phrase[0], []).append((phrase, label))

    def find(self, stem_list: Sequence[str]) -> list[tuple[str, int, int]]:
        """(label, first token, end token) of every match, by first token."""
        found = []
        n = len(stem_list)
        for start, stem in enumerate(stem_list):
            for phrase, label in self.by_first.get(stem, ()):
                end = start + len(phrase)
                if end <= n and tuple(stem_list[start:end]) == phrase:
                    found.append((label, start, end))
        return found


class Matchers:
    """The taxonomy's organisation names and topics as phrases."""

    def __init__(self) -> None:
        tax = vocab.taxonomy()
        self.orgs = Phrases(tax.organisations)
        self.topics = Phrases(tax.topics)

    @staticmethod
    def matches(phrases: Phrases, word_list: list[str]) -> list[tuple[str, int, int]]:
        """(label, first token, end token) of each match, earliest first, the longest first among equals."""
        if not word_list:
            return []
        return sorted(phrases.find(stems(word_list)), key=lambda x: (x[1], -(x[2] - x[1])))


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
    tokens: list[str] = []
    weights: list[tuple[int, int]] = []  # (first token of a part, its weight)
    for part, weight in ((title, 2), (decision, 2), (text, 1)):
        if part:
            if tokens:
                tokens.append(PART_BREAK)
            weights.append((len(tokens), weight))
            tokens.extend(part)
    if not tokens:
        return []
    evidence: dict[str, int] = {}
    for label, s, _ in matchers().topics.find(stems(tokens)):
        evidence[label] = evidence.get(label, 0) + next(w for first, w in reversed(weights) if s >= first)
    return [t for t in vocab.taxonomy().topics if evidence.get(t, 0) >= TOPIC_MIN_EVIDENCE]


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
