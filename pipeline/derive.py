"""Per-case facts derived at load time, stored with the file's rows: search terms, topics, the
decision's outcome class, canonical organisations, and references to other meetings and cases."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from . import nlp, vocab
from .normalise import case_key, parse_date


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


def references(*texts: str | None) -> list[tuple[str, str | None, str | None, str | None]]:
    """(text, body, date, case key) for each reference to a meeting's minutes or to a case."""
    meeting_ref, case_ref = _patterns()
    out = []
    for text in (t for t in texts if t):
        for m in meeting_ref.finditer(text):
            out.append((m.group(0), m.group("body").upper(), parse_date(m.group("date")), None))
        for m in case_ref.finditer(text):
            body = m.group("body").upper() if m.group("body") else None
            out.append((m.group(0), body, None, case_key(m.group("num").rstrip("."))))
    seen, unique = set(), []
    for r in out:
        if r not in seen:
            seen.add(r)
            unique.append(r)
    return unique


def terms_and_topics(title: str | None, text: str | None, decision: str | None) -> tuple[Counter[str], list[str]]:
    """A case's search terms (stem -> count) and its topics, from its words split once."""
    parts = nlp.words(title), nlp.words(text), nlp.words(decision)
    return Counter(nlp.stems([w for part in parts for w in part])), nlp.topics_in(*parts)


def person_id(partnership: str, name: str) -> str:
    return f"{partnership}|{' '.join(name.casefold().split())}"


def organisation(org: str | None) -> str | None:
    return nlp.organisation(org) if org else None

