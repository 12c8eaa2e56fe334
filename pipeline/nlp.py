"""Language tools built once: the names and aliases of pipeline/data/taxonomy.toml for
organisations and topics as sequences of Snowball stems, found in texts' stems. Matching is
case-insensitive and stem-aware ("rehabiliteringen" matches "rehabilitering").

A text is split into words once (`words`): the same words, stemmed, give the search terms and what
the phrases are looked for in. Nothing is downloaded: no trained model is needed."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import Stemmer

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
    """The organisation and topic phrases of the taxonomy, built once per process (`matchers`)."""

    def __init__(self) -> None:
        tax = vocab.taxonomy()
        self.orgs = Phrases(tax.organisations)
        self.topics = Phrases(tax.topics)


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
    found = matchers().topics
    evidence: dict[str, int] = {}
    for part, weight in ((title, 2), (decision, 2), (text, 1)):
        for label in found.labels_in(part):
            evidence[label] = evidence.get(label, 0) + weight
    return [t for t in vocab.taxonomy().topics if evidence.get(t, 0) >= TOPIC_MIN_EVIDENCE]


class Phrases:
    """The names and aliases of a taxonomy table as sequences of stems, looked for in a text's
    stems through a dictionary of first stems: each place any phrase occurs (as a phrase matcher
    over the stems finds them)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.whole: dict[tuple[str, ...], str] = {}  # a phrase -> its name (the first in table order)
        for canonical, aliases in table.items():
            for alias in sorted({*aliases, canonical}):
                phrase = tuple(terms(alias))
                entry = (phrase[1:], canonical)
                if phrase and entry not in self.by_first.setdefault(phrase[0], []):
                    self.by_first[phrase[0]].append(entry)
                    self.whole.setdefault(phrase, canonical)

    def labels_in(self, text: list[str]) -> list[str]:
        """The label of each place a phrase occurs in `text` (stems): once per phrase and place."""
        labels: list[str] = []
        for first in self.by_first.keys() & set(text):
            places = _places(text, first)
            for rest, label in self.by_first[first]:
                n = len(rest)
                labels.extend(label for i in places if not n or tuple(text[i + 1:i + 1 + n]) == rest)
        return labels


def _places(text: list[str], item: str) -> list[int]:
    """Where `item` occurs in `text` (the list searched by list.index, not item by item here)."""
    places: list[int] = []
    i = -1
    try:
        while True:
            i = text.index(item, i + 1)
            places.append(i)
    except ValueError:
        return places


NAME_PARTS = re.compile(r"[,;:()/]|\s[-–—]\s")  # "OUS, Klinikk psykisk helse", "Helseetaten (sekretariat)"


@lru_cache(maxsize=8192)
def organisation(text: str | None) -> str | None:
    """The canonical name of the organisation a text names: the first part of it (parts split at
    commas, brackets, slashes and dashes) that an alias of the taxonomy matches whole, word stem
    by word stem. An alias never matches part of a name: "Hamar kommune" is no alias's, and stays
    as written."""
    if not text:
        return None
    whole = matchers().orgs.whole
    for part in NAME_PARTS.split(text):
        name = whole.get(tuple(terms(part)))
        if name:
            return name
    return None


def outcome(decision: str | None) -> str | None:
    """approved | noted | postponed | rejected | other, from the decision's words."""
    return outcome_of_folded(decision.casefold()) if decision else None


def outcome_of_folded(decision: str) -> str | None:
    """`outcome` of a decision already casefolded ("" for none)."""
    if not decision:
        return None
    text = " ".join(decision.split())
    for cls, phrases in _outcome_phrases():
        if any(p in text for p in phrases):
            return cls
    return "other"


@lru_cache(maxsize=1)
def _outcome_phrases() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each outcome class of the taxonomy with its phrases casefolded, in taxonomy order."""
    return tuple((cls, tuple(p.casefold() for p in phrases)) for cls, phrases in vocab.taxonomy().outcomes.items())
