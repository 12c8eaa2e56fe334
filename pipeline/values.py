"""Values read from text: dates, times, case numbers and their comparable keys, decision labels,
meeting bodies (vocabulary-driven)."""
from __future__ import annotations

import re
from functools import cache

from . import vocab
from .read.clean import clean_text

MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "desember": 12, "des": 12,
}
_MONTH_ALTS = "|".join(sorted(MONTHS, key=len, reverse=True))
# 07.03.25, 23.05.2024, 27/5-19, 22 og 23.03.2021 (first day taken), 7.3.2025
_NUMERIC_DATE = re.compile(
    r"(?<![\d.])(?P<d>\d{1,2})(?:\s*(?:og|-|–|&)\s*\d{1,2})?[./](?P<m>\d{1,2})(?:[./-](?P<y>\d{4}|\d{2}))(?![\d.]\d)")
# 19. desember 2024, 19 Desember 2024, 9. mars (no year)
_WORD_DATE = re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})\.?\s*(?P<m>{_MONTH_ALTS})\.?(?:\s+(?P<y>\d{{4}}))?\b", re.I)
# kl. 08.30 – 10.30, 13.00-15.30, kl 1800-1915, klokka 13, 08:30
_TIME = r"(?P<{n}h>2[0-3]|[01]?\d)(?:[.:]?(?P<{n}m>[0-5]\d))?"
_TIME_RANGE = re.compile(
    rf"(?:\bkl(?:\.|okka|okken)?:?\s*)?(?<![\d./]){_TIME.format(n='a')}(?:(?:\s*[-–]\s*|\s+til\s+|\s+(?=\d{{1,2}}[.:]\d\d))(?:kl\.?\s*)?{_TIME.format(n='b')})?(?![\d.]\d)",
    re.I)


def parse_date(text: str) -> str | None:
    """The first full date (day, month and year) in `text` as ISO, or None."""
    best: tuple[int, str] | None = None
    for m in _NUMERIC_DATE.finditer(text):
        iso = _iso(m.group("y"), m.group("m"), m.group("d"))
        if iso:
            best = min(best or (m.start(), iso), (m.start(), iso))
            break
    for m in _WORD_DATE.finditer(text):
        if not m.group("y"):
            continue
        iso = _iso(m.group("y"), str(MONTHS[m.group("m").lower()]), m.group("d"))
        if iso:
            best = min(best or (m.start(), iso), (m.start(), iso))
            break
    return best[1] if best else None


def date_without_year(text: str) -> str | None:
    """A day and month written with no year ('7. november'), as written, when `text` holds no full
    date; None otherwise."""
    if parse_date(text):
        return None
    m = next((m for m in _WORD_DATE.finditer(text) if not m.group("y")), None)
    return m.group(0).strip() if m else None


def _iso(y: str | None, m: str, d: str) -> str | None:
    if not y:
        return None
    year = int(y) + (2000 if len(y) == 2 else 0)
    month, day = int(m), int(d)
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1990 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_times(text: str) -> tuple[str | None, str | None]:
    """Start and end time from a 'Møtetid' / 'Dato/sted' value; dates are removed first."""
    rest = _WORD_DATE.sub(" ", _NUMERIC_DATE.sub(" ", text))
    for m in _TIME_RANGE.finditer(rest):
        explicit = bool(re.match(r"\s*kl", m.group(0), re.I))
        start = _hhmm(m.group("ah"), m.group("am"))
        end = _hhmm(m.group("bh"), m.group("bm")) if m.group("bh") else None
        joined = m.group("am") and not re.search(r"[.:]", m.group(0))  # '2021': a year, unless 'kl 2100'
        if explicit or end or m.group("am") and not joined:
            return start, end
    return None, None


def _hhmm(h: str, m: str | None) -> str:
    return f"{int(h):02d}:{m or '00'}"


def case_number(raw: str) -> str:
    """A case number as written, tidied: trailing '.:;,' and spaces dropped, a space after a year's
    dot closed up: '4.:' -> '4', '2024. 20' -> '2024.20', '07 – 2022' kept. A word before the number
    stays ('Sak 4.:' -> 'Sak 4'): the case patterns hand over the number alone."""
    s = clean_text(raw).rstrip(".:;, ")
    return re.sub(r"^((?:19|20)\d\d)\.\s+(\d)", r"\1.\2", s)


def case_key(number: str | None) -> str | None:
    """A comparable key for a case number: '2024.13', '2024. 13' and '2024/13' all give '2024/13'."""
    if not number:
        return None
    parts = [p.lstrip("0") or "0" for p in re.split(r"[./\-–\s]+", number) if p]
    return "/".join(parts)


def decision_label(raw: str) -> str | None:
    hit = vocab.load().decision_labels.first(raw)
    return hit[0] if hit else None


@vocab.text_cache  # asked of a document's opening lines, then of all its lines
def body_abbrev(text: str) -> tuple[str | None, str | None]:
    """(full name, abbreviation) of the first meeting body named in `text`."""
    hit = _body_patterns().first(text, search=True)
    return hit[0] if hit else (None, None)


@cache
def _body_patterns() -> vocab.Labelled[tuple[str, str | None]]:
    """Bodies by full name (any case) first, then by abbreviation (as written): (pattern, (name, abbrev))."""
    v = vocab.load()
    bodies = v.bodies
    by_name = [(re.compile(rf"\b{re.escape(name)}\b", re.I), (v.body_names.get(name, name), abbrev or None))
               for name, abbrev in bodies]
    by_abbrev: list[tuple[re.Pattern[str], tuple[str, str | None]]] = [
        (re.compile(rf"(?<![\w/-]){abbrev}\b"), (name, abbrev)) for name, abbrev in bodies if abbrev]  # not 'FS-AU'
    return vocab.Labelled(by_name + by_abbrev)
