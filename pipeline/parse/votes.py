"""How a case was voted on, from its decision or its text: 'Enstemmig vedtatt.', 'Vedtatt mot to
stemmer.', 'vedtatt med 20 mot 15 stemmer', 'Samrøystes vedteke', '5 stemte for, 2 mot'. Numbers
written as words count; a vote with no numbers keeps them null."""
from __future__ import annotations

import re
from typing import Any

from .. import vocab

NUMBER = r"(?:\d{1,3}|[a-zæøå]+)"
PASSED = r"\b(?:vedtatt|vedteke|godkjent|godkjend)"
VOTES = "stemme"  # the word each kind of vote is found by (NEEDS)
VOTED = "stemte"
UNANIMOUS_WORDS = "enstemmig|enstemmige|samrøystes|einstemmig"
WITH_AGAINST = re.compile(rf"{PASSED}\s+med\s+(?P<for>{NUMBER})\s+mot\s+(?P<against>{NUMBER})\s+{VOTES}", re.I)
AGAINST_ONLY = re.compile(rf"{PASSED}\s+mot\s+(?P<against>{NUMBER})\s+{VOTES}", re.I)
COUNTED = re.compile(rf"\b(?P<for>{NUMBER})\s+{VOTED}\s+for\b"
                     rf"(?:.{{0,40}}?\b(?P<against>{NUMBER})\s+(?:{VOTED}\s+)?mot\b)?", re.I)
UNANIMOUS = re.compile(rf"\b(?:{UNANIMOUS_WORDS})\b", re.I)
PATTERNS = (WITH_AGAINST, AGAINST_ONLY, COUNTED, UNANIMOUS)
# what each of the patterns holds ('stemme', 'stemte', 'enstemmig', 'samrøystes'): most case texts
# hold none of it and are passed over with this one search
MENTIONS = re.compile(r"stem|samrøystes", re.I)
# … and a word each pattern's every match holds: a text that mentions 'stem' ('system', 'bestemt',
# common) is searched only with the patterns whose word it holds (a search with COUNTED, a word
# and then 'stemte', tries every word of a long case paper)
_SAYS_VOTES = re.compile(VOTES, re.I)
NEEDS = {WITH_AGAINST: _SAYS_VOTES, AGAINST_ONLY: _SAYS_VOTES, COUNTED: re.compile(VOTED, re.I),
         UNANIMOUS: re.compile(UNANIMOUS_WORDS, re.I)}


def of(*texts: str | None) -> dict[str, Any] | None:
    """{"text", "for", "against", "unanimous"} for the first vote the texts record, or None."""
    for text in texts:
        if not text or not MENTIONS.search(text):
            continue
        for pattern in (WITH_AGAINST, AGAINST_ONLY, COUNTED):
            m = pattern.search(text) if NEEDS[pattern].search(text) else None
            if m:
                found = m.groupdict()
                votes_for, against = _count(found.get("for")), _count(found.get("against"))
                if found.get("for") and votes_for is None or found.get("against") and against is None:
                    continue  # 'vedtatt mot slutten …': not a count
                return {"text": _sentence(text, m.start(), m.end()), "for": votes_for, "against": against,
                        "unanimous": against == 0 if against is not None else False}
        m = UNANIMOUS.search(text) if NEEDS[UNANIMOUS].search(text) else None
        if m:
            return {"text": _sentence(text, m.start(), m.end()), "for": None, "against": 0, "unanimous": True}
    return None


def _count(word: str | None) -> int | None:
    if word is None:
        return None
    if word.isdigit():
        return int(word)
    return vocab.load().number_words.get(word.casefold())


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of `text` that holds text[start:end]."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right = text.find(".", end)
    return text[left + 1 if left >= 0 else 0:right + 1 if right >= 0 else len(text)].strip()
