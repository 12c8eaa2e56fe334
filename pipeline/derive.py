"""Per-case facts derived at load time, stored with the file's rows: search terms, topics, the
decision's outcome class, canonical organisations, and references to other meetings and cases."""
from __future__ import annotations

import re
from collections import Counter

from . import nlp
from .normalise import case_key, parse_date

_BODY = r"(?P<body>SSU|FSU|LSU|OSU|GSU|AU|PM)"
MEETING_REF = re.compile(rf"\b(?:Referat|Protokoll|Møtereferat)(?:er)?\s+(?:fra\s+)?(?:møte\s+i\s+)?{_BODY}\s+"
                         r"(?:møte\s+)?(?:den\s+)?(?P<date>\d{1,2}\.\d{1,2}\.\d{2,4})", re.I)
CASE_REF = re.compile(rf"\b(?:ref\.?\s+)?sak(?:\s+nr\.?)?\s+(?:{_BODY}\s+)?(?P<num>(?:19|20)\d\d\.\d{{1,3}}|\d{{1,3}}/\d{{2,4}})",
                      re.I)


def references(*texts: str | None) -> list[tuple[str, str | None, str | None, str | None]]:
    """(text, body, date, case key) for each reference to a meeting's minutes or to a case."""
    out = []
    for text in (t for t in texts if t):
        for m in MEETING_REF.finditer(text):
            out.append((m.group(0), m.group("body").upper(), parse_date(m.group("date")), None))
        for m in CASE_REF.finditer(text):
            body = m.group("body").upper() if m.group("body") else None
            out.append((m.group(0), body, None, case_key(m.group("num").rstrip("."))))
    seen, unique = set(), []
    for r in out:
        if r not in seen:
            seen.add(r)
            unique.append(r)
    return unique


def term_counts(*texts: str | None) -> Counter[str]:
    return Counter(t for text in texts for t in nlp.terms(text))


def person_id(partnership: str, name: str) -> str:
    return f"{partnership}|{' '.join(name.casefold().split())}"


def organisation(org: str | None) -> str | None:
    return nlp.organisation(org) if org else None

