"""Topics are found with a dictionary of the taxonomy's phrases (as stems) instead of a spaCy
PhraseMatcher per case: the places found are the ones the PhraseMatcher finds on the same stems."""
from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import RAW
from pipeline import extract, nlp, vocab


def spacy_labels(words: list[str]) -> Counter[str]:
    """The reference: a spaCy PhraseMatcher on the token norms (stems) of the taxonomy's topics."""
    m = nlp.matchers()
    matcher = m._matcher(vocab.taxonomy().topics)
    return Counter(m.vocab.strings[mid] for mid, _, _ in matcher(m.doc(words))) if words else Counter()


def found(words: list[str]) -> Counter[str]:
    return Counter(nlp.topic_phrases().labels_in(nlp.stems(words)))


ALIASES = sorted({a for names in vocab.taxonomy().topics.values() for a in names} | set(vocab.taxonomy().topics))
FILLER = ["og", "i", "til", "for", "saken", "styret", "kommunene", "barn", "unge", "helse", "planen"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ALIASES + FILLER), max_size=12))
def test_phrases_found_equal_the_phrase_matchers(parts):
    words = nlp.words(" ".join(parts))
    assert found(words) == spacy_labels(words)


def test_phrases_found_in_every_bundled_case_equal_the_phrase_matchers():
    cases = 0
    for path in sorted(RAW.rglob("*")):
        if path.suffix not in (".pdf", ".txt", ".md"):
            continue
        ex, _ = extract.run(path, RAW)
        for case in (c for d in ex.documents for c in d.cases):
            for part in (case.title, case.text, case.decision):
                assert found(nlp.words(part)) == spacy_labels(nlp.words(part)), (path.name, part)
            cases += 1
    assert cases > 50
