"""Attachments (vedlegg) of one case: titles named in the case, and how many its type words say."""
from __future__ import annotations

from collections.abc import Sequence

from .. import vocab
from ..models import Line
from .recognisers import is_bullet, unique

LIST_ITEM_MAX_WORDS = 16


def attachments(span: Sequence[Line]) -> tuple[list[str], int | None]:
    """(titles, count) from a case's lines after its number. Leading type words ('Vedlegg',
    '2 vedlegg') only count; 'Vedlegg: <title>' / 'Vedlegg <Title>' name one; a 'Vedlegg:' line
    alone heads a list whose items are the following short lines."""
    v = vocab.load()
    lines = [ln.text.strip() for ln in span if ln.text.strip()]
    count = None
    k = 0
    while k < len(lines) and v.type_word.match(lines[k]):
        count = _count(lines[k], v) or count
        k += 1
    titles: list[str] = []
    while k < len(lines):
        text = lines[k]
        k += 1
        titled = v.attachment_titled.first(text)  # most lines match none: one test of them all
        if titled:
            titles.append(titled[1].group("title").strip())
            continue
        if v.attachment_list_head.matches(text):
            count = _count(text, v) or count
            while k < len(lines) and _list_item(lines[k], v):
                titles.append(lines[k].lstrip("•▪◦‣-–* ").strip())
                k += 1
    return unique(titles), max(count or 0, len(titles)) or None


def _count(text: str, v: vocab.Vocab) -> int | None:
    hit = v.attachment_count.first(text)
    return int(hit[1].group("n")) if hit else None


def _list_item(text: str, v: vocab.Vocab) -> bool:
    if is_bullet(text):
        return True
    words = text.split()
    return bool(words) and len(words) <= LIST_ITEM_MAX_WORDS and text[:1].isupper() and not text.endswith(":") \
        and not v.decision_labels.patterns.matches(text) and not v.type_word.match(text) \
        and not v.case_enders.matches(text) and not v.closing_items.matches(text)
