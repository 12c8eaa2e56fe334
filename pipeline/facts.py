"""What a case's own words say, derived from its title, text and decision: its search terms, topics,
the decision's outcome class, and references to other meetings and cases (`case_facts`).

Each part of a case is casefolded once and split into words once. The facts depend on the three
strings alone; they are worked out for each copy of a case as its file is derived (nothing is
remembered from one file to the next)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from . import nlp, vocab
from .values import case_key, parse_date

Reference = tuple[str, str | None, str | None, str | None]  # text, body, date, case key


@dataclass(frozen=True)
class CaseFacts:
    terms: tuple[str, ...]  # its distinct search terms (stems), in the order they first occur
    tfs: tuple[int, ...]  # how often each occurs
    n_terms: int  # all its search terms counted (BM25's length)
    topics: tuple[str, ...]  # taxonomy topics, in taxonomy order
    outcome: str | None  # the decision's outcome class
    references: tuple[Reference, ...]  # each distinct reference, in the order found


def case_facts(title: str | None, text: str | None, decision: str | None) -> CaseFacts:
    """The facts of a case with this title, text and decision."""
    parts = (title, text, decision)
    folded = tuple(p.casefold() if p else "" for p in parts)
    stems = [nlp.stems(nlp.WORD.findall(f)) for f in folded]
    counts = Counter(chain(*stems))
    return CaseFacts(terms=tuple(counts), tfs=tuple(counts.values()), n_terms=sum(counts.values()),
                     topics=tuple(nlp.topics_of_stems(*stems)), outcome=nlp.outcome_of_folded(folded[2]),
                     references=tuple(_references(parts, folded)))


def terms_and_topics(title: str | None, text: str | None, decision: str | None) -> tuple[Counter[str], list[str]]:
    """A case's search terms (stem -> count) and its topics."""
    facts = case_facts(title, text, decision)
    return Counter(dict(zip(facts.terms, facts.tfs, strict=True))), list(facts.topics)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Reference patterns over the body abbreviations of vocab.toml (SSU, FSU, …)."""
    abbrevs = sorted({a for _, a in vocab.load().bodies if a}, key=len, reverse=True)
    body = rf"(?P<body>{'|'.join(map(re.escape, abbrevs))})"
    meeting = re.compile(rf"\b(?:Referat|Protokoll|Møtereferat)(?:er)?\s+(?:fra\s+)?(?:møte\s+i\s+)?{body}\s+"
                         r"(?:møte\s+)?(?:den\s+)?(?P<date>\d{1,2}\.\d{1,2}\.\d{2,4})", re.I)
    case = re.compile(rf"\b(?:ref\.?\s+)?sak(?:\s+nr\.?)?\s+(?:{body}\s+)?"
                      r"(?P<num>(?:19|20)\d\d\.\d{1,3}|\d{1,3}/\d{2,4})", re.I)
    return meeting, case


# What every match of a pattern above becomes when casefolded, loosely: its word (each letter the
# patterns match ignoring case casefolds to the pattern's letter, "ſ" and "K" included), the words
# between (casefolding leaves spaces and digits as they are, and makes no space), then a digit.
# Found by a quick search of a text casefolded once (the words start with a letter, not "\b"); a
# text without one cannot match, and is not scanned by the pattern.
MEETING_HINT = re.compile(r"(?:referat|protokoll)\S*\s+(?:\S+\s+){1,6}\d")
CASE_HINT = re.compile(r"sak\s+(?:\S+\s+){0,2}\d")


def references(*texts: str | None) -> list[Reference]:
    """(text, body, date, case key) for each reference to a meeting's minutes or to a case."""
    return _references(texts, tuple(t.casefold() if t else "" for t in texts))


def _references(texts: tuple[str | None, ...], folded: tuple[str, ...]) -> list[Reference]:
    meeting_ref, case_ref = _patterns()
    out: list[Reference] = []
    for text, low in zip(texts, folded, strict=True):
        if not text:
            continue
        if MEETING_HINT.search(low):
            for m in meeting_ref.finditer(text):
                out.append((m.group(0), m.group("body").upper(), parse_date(m.group("date")), None))
        if CASE_HINT.search(low):
            for m in case_ref.finditer(text):
                body = m.group("body").upper() if m.group("body") else None
                out.append((m.group(0), body, None, case_key(m.group("num").rstrip("."))))
    return list(dict.fromkeys(out))  # each once, in the order found
