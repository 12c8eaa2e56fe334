"""Small predicates over lines of text shared by the parsers: names, headings, sentences, rows."""
from __future__ import annotations

import re
from typing import Sequence

from . import vocab
from .models import Line

NAME_WORD = re.compile(r"^(?:[A-ZÆØÅ][a-zæøåéüö]+(?:-[A-ZÆØÅ]?[a-zæøåéüö]+)*-?|[A-ZÆØÅ]\.|[A-ZÆØÅ]|[a-zæøå]{1,3}\.?[A-ZÆØÅ]\w*|[A-ZÆØÅ][a-zæøå]+-\.[A-ZÆØÅ][a-zæøå]+)$")
BULLET_START = re.compile(r"^(?:[•▪◦‣✓✔·*-]|\d{1,2}[.)]\s|[a-z]\)\s)")
INITIAL_END = re.compile(r"(?:^|\s)[A-ZÆØÅ]\.$")
URL = re.compile(r"^(?:https?://|www\.)\S+$")


def is_name(text: str, min_words: int = 2) -> bool:
    """A person's name: 2-5 capitalised words or initials ('Janne K. Aase', 'Marthe Wang-Hansen')."""
    words = text.strip().rstrip(",").split()
    if not (min_words <= len(words) <= 5):
        return False
    stop = vocab.load().not_name_words
    if any(w.casefold().strip(",.") in stop for w in words):
        return False
    if sum(1 for w in words if len(w.rstrip(".")) > 1) < min(min_words, 2):
        return False
    return all(NAME_WORD.match(w) for w in words)


def unique(items: list[str]) -> list[str]:
    """Items stripped of spaces and commas, empty ones and repeats (case aside) left out, in order."""
    seen, out = set(), []
    for x in (i.strip(" ,") for i in items):
        if x and x.casefold() not in seen:
            seen.add(x.casefold())
            out.append(x)
    return out


def is_bullet(text: str) -> bool:
    return bool(BULLET_START.match(text))


def ends_with_initial(text: str) -> bool:
    """'… ved Saliba A.': a name's initial, its surname on the next line."""
    return bool(INITIAL_END.search(text.rstrip()))


def ends_sentence(text: str) -> bool:
    """Closing punctuation, but not a name's initial ('… ved Saliba A.' + 'Korkunc')."""
    t = text.rstrip()
    return t.endswith((".", "!", "?", ".»", '."')) and not ends_with_initial(t)


def is_heading_like(text: str) -> bool:
    """A short line that opens a new topic: few words, capitalised, no closing punctuation."""
    t = text.strip()
    words = t.split()
    return (0 < len(words) <= 6 and t[:1].isupper() and not t.endswith((".", ",", ";", ":", "!", "?"))
            and not is_bullet(t))


def is_url(text: str) -> bool:
    return bool(URL.match(text.strip()))


def row_head(lines: Sequence[Line], i: int) -> int:
    """Index of the first line of the table row that lines[i] belongs to."""
    while i > 0 and lines[i].row is not None and lines[i - 1].row == lines[i].row:
        i -= 1
    return i


def row_text(lines: Sequence[Line], i: int) -> str:
    """The text of a table row starting at lines[i] (first line of each cell), else the line."""
    line = lines[i]
    if line.row is None or line.col != 0:
        return line.text
    parts, seen = [], set()
    for other in lines[i:i + 40]:
        if other.row != line.row:
            break
        if other.col not in seen:
            seen.add(other.col)
            parts.append(other.text)
    return " ".join(parts)
