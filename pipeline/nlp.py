"""Language tools built once: a blank Norwegian (bokmål) spaCy pipeline whose token norms are Snowball
stems, with PhraseMatchers from pipeline/data/taxonomy.toml for organisation names and topics.
Matching is case-insensitive and stem-aware ("rehabiliteringen" matches "rehabilitering").
Nothing is downloaded: spacy.blank needs no model."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

import Stemmer

WORD = re.compile(r"[0-9A-Za-zÆØÅæøåÉéÜüÖöÄä]+")


@lru_cache(maxsize=1)
def taxonomy() -> dict:
    return tomllib.loads(resources.files("pipeline").joinpath("data/taxonomy.toml").read_text("utf-8"))


@lru_cache(maxsize=1)
def stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("norwegian")


def terms(text: str | None) -> list[str]:
    """Search terms of a text: words in lower case, stemmed (the same for documents and queries)."""
    if not text:
        return []
    return stemmer().stemWords([w.casefold() for w in WORD.findall(text)])


_STEMMED: set[int] = set()  # lexemes (orth ids) whose norm is already their stem


def _stem_norms(doc):
    """A word's stem becomes its lexeme's norm, once per word seen: tokens read their norm from
    the lexeme, so no Token object is made per token."""
    from spacy.attrs import ORTH

    new = set(doc.to_array([ORTH]).tolist()) - _STEMMED
    if new:
        vocab = doc.vocab
        words = [vocab.strings[o] for o in new]
        for orth, s in zip(new, stemmer().stemWords([w.casefold() for w in words])):
            vocab[orth].norm_ = s
        _STEMMED.update(new)
    return doc


class Matchers:
    """spaCy is imported here, on first use: commands that never match text do not pay for it."""

    def __init__(self) -> None:
        import spacy
        from spacy.language import Language

        if "stem_norms" not in Language.factories:
            Language.component("stem_norms", func=_stem_norms)
        self.nlp = spacy.blank("nb")
        self.nlp.add_pipe("stem_norms")
        tax = taxonomy()
        self.orgs = self._matcher(tax["organisations"])
        self.topics = self._matcher(tax["topics"])

    def _matcher(self, table: dict[str, list[str]]):
        from spacy.matcher import PhraseMatcher

        m = PhraseMatcher(self.nlp.vocab, attr="NORM")
        for canonical, aliases in table.items():
            m.add(canonical, [self.nlp(a) for a in {*aliases, canonical}])
        return m

    def matches(self, matcher, text: str) -> list[tuple[str, int, int]]:
        doc = self.nlp(text)
        found = [(self.nlp.vocab.strings[mid], s, e) for mid, s, e in matcher(doc)]
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
    parts = [(p, w) for p, w in ((title, 2), (decision, 2), (text, 1)) if p]
    if not parts:
        return []
    m = matchers()
    # one spaCy doc for the three parts; a match's first character tells which part it is in
    joined = " \n ".join(p for p, _ in parts)
    starts, at = [], 0
    for p, w in parts:
        starts.append((at, w))
        at += len(p) + 3
    doc = m.nlp(joined)
    evidence: dict[str, int] = {}
    for mid, s, _ in m.topics(doc):
        char = doc[s].idx
        weight = next(w for begin, w in reversed(starts) if char >= begin)
        label = m.nlp.vocab.strings[mid]
        evidence[label] = evidence.get(label, 0) + weight
    return [t for t in taxonomy()["topics"] if evidence.get(t, 0) >= TOPIC_MIN_EVIDENCE]


@lru_cache(maxsize=8192)
def organisation(text: str | None) -> str | None:
    """The canonical name of the organisation a text names (the longest, earliest match)."""
    if not text:
        return None
    m = matchers()
    found = m.matches(m.orgs, text)
    return found[0][0] if found else None


def outcome(decision: str | None) -> str | None:
    """approved | noted | postponed | rejected | other, from the decision's words."""
    if not decision:
        return None
    text = " ".join(decision.casefold().split())
    for cls, phrases in taxonomy()["outcomes"].items():
        if any(p.casefold() in text for p in phrases):
            return cls
    return "other"
