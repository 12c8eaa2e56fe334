"""What a line of text is, asked by more than one parser: a case number opening it, the case-list
header, a header label, a person's name, a bullet, a heading, the end of a sentence, a table row;
and wrapped lines joined."""
from __future__ import annotations

import re
from collections.abc import Sequence

from .. import vocab
from ..models import Line
from ..read.clean import clean_text
from ..values import case_number

NAME_WORD = re.compile(r"^(?:[A-ZÆØÅ][a-zæøåéüö]+(?:-[A-ZÆØÅ]?[a-zæøåéüö]+)*-?|(?:[A-ZÆØÅ]\.){1,3}|[A-ZÆØÅ][a-zæøå]?\."
                       r"|[A-ZÆØÅ]"
                       r"|[a-zæøå]{1,3}\.?[A-ZÆØÅ]\w*|[A-ZÆØÅ][a-zæøå]+-\.[A-ZÆØÅ][a-zæøå]+)$")
BULLET_START = re.compile(r"^(?:[•▪◦‣✓✔·*-]|\d{1,2}[.)]\s|[a-z]\)\s)")
INITIAL_END = re.compile(r"(?:^|\s)[A-ZÆØÅ]\.$")
URL = re.compile(r"^(?:https?://|www\.)\S+$")


@vocab.text_cache
def is_name(text: str, min_words: int = 2) -> bool:
    """A person's name: 2-5 capitalised words or initials ('Janne K. Aase', 'Marthe Wang-Hansen')."""
    words = text.strip().rstrip(",").split()
    if not (min_words <= len(words) <= 5):
        return False
    if sum(1 for w in words if len(w.rstrip(".")) > 1) < min(min_words, 2):
        return False
    if not all(NAME_WORD.match(w) for w in words):
        return False  # the quick test first: most lines that are not names fail it
    stop = vocab.load().not_name_words
    ending = vocab.load().not_name_ending
    return not any(w.casefold().strip(",.") in stop or ending.search(w.strip(",.")) for w in words)


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


@vocab.text_cache
def case_start(text: str, family: int | None = None) -> tuple[int, str, str] | None:
    """(family, number, rest of line) when `text` opens with a case number."""
    fams = vocab.load().case_families
    t = text.strip()
    if family is None:
        hit = fams.first(t)
    else:
        m = fams[family].match(t)
        hit = (family, m) if m else None
    if hit is None:
        return None
    i, m = hit
    rest = ARCHIVE_REF.sub("", t[m.end():].lstrip(" :.\t–-"))
    return i, case_number(m.group("num")), rest


# An archive reference after the case number in a case list's Arkivsak column: '1/19 18/5137 GODKJENNING …'
ARCHIVE_REF = re.compile(r"^\d{1,4}/\d{1,6}\s+(?=[A-ZÆØÅ])")


def list_start(lines: Sequence[Line]) -> int:
    """The line after the case-list header ('Saksliste'), 0 without one. Asked of a segment's lines
    and again of the segments merged from them."""
    for i, line in enumerate(lines):
        text = line.text if line.row is None else row_text(lines, i)
        if _list_header(text) or line.row is not None and _list_header(line.text):
            return i + 1
    return 0


@vocab.text_cache
def _list_header(text: str) -> bool:
    return vocab.load().case_list_headers.matches(text)


def numbered_start(text: str) -> tuple[int, str, str] | None:
    """case_start in a numbered style only (not the plain '1. Title' list)."""
    hit = case_start(text)
    return hit if hit and hit[0] < vocab.load().numbered_families else None


@vocab.text_cache
def label_value(text: str) -> tuple[str, str] | None:
    """(field, value) when a line opens with a header label."""
    v = vocab.load()
    m = v.header_label.match(text)
    if m:
        return v.header_field[m.group("label").casefold()], m.group("value").strip()
    m = v.loose_header_label.match(text)
    if m:
        return v.header_field[m.group("label").casefold()], m.group("value").strip()
    return None


_cleaned = vocab.text_cache(clean_text)  # a case's lines are joined for its title, text and items


def join_wrapped(lines: list[str]) -> str:
    """Join wrapped lines: a hyphen at a line end is kept when the next line starts a word in
    upper case ('Wang-' + 'Hansen') and dropped when it splits a lower-case word ('utfor-' + 'dringer')."""
    out = ""
    for line in map(_cleaned, lines):
        if not line:
            continue
        if out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[:1].islower():
            out = out[:-1] + line
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha():
            out += line
        else:
            out = f"{out} {line}" if out else line
    return out.strip()


def person(value: str | None) -> str | None:
    """A person from 'Tone Ikdahl', 'Runar Danielsen, SiV', 'Ordførar Jon Håkon Odd' (the title
    before the name left out), 'Anne Nordli.' (the sentence's stop left out) or 'Marianne Heen og
    Fladseth' (the first of two); units such as 'Sekretariatet' are not."""
    first = first_part(value)
    if not first:
        return None
    first = AND.split(first, maxsplit=1)[0]
    if first.endswith(".") and len(first.split()[-1]) > 2:  # a full stop, not an initial's dot ('Ola K.')
        first = first[:-1]
    name = leading_title(first)[0]
    if is_name(name):
        return name
    words = name.split()  # 'Kristin Kaus Saksgang Møtedato …': a flattened header's next labels after the name
    return next((" ".join(words[:n]) for n in (4, 3, 2) if len(words) > n and is_name(" ".join(words[:n]))), None)


AND = re.compile(r"\s+(?:og|and|&)\s+")


TITLE_WORDS = re.compile(r"(?:representant|leder|leiar|direktør|sjef|rådgiver|rådgjevar|koordinator|lege|ordfører|"
                         r"ordførar|sekretær|medlem|revisor)\b", re.I)
NOTE = re.compile(r"\s*\(([^()]*)\)")  # a note in brackets after a name ('(vara for Kari Holm)')


def leading_title(text: str) -> tuple[str, str | None]:
    """'Revisor Odd Knustad' -> ('Odd Knustad', 'Revisor'): a title word before a name."""
    first, _, rest = text.strip().partition(" ")
    titled = TITLE_WORDS.search(first) or vocab.load().not_name_ending.search(first)
    if rest and titled and is_name(NOTE.sub("", rest)):
        return rest, first
    return text, None


LETTER_SPACED = re.compile(r"(?<!\S)(?:[A-ZÆØÅ] ){3,}[A-ZÆØÅ](?!\S)")  # 'P R O T O K O L L'


def unspaced(text: str) -> str:
    """A heading set in spaced capitals as its word: 'P R O T O K O L L FOR KOMMUNESTYRET' ->
    'PROTOKOLL FOR KOMMUNESTYRET' (a run of one letter, 'X X X X' marks, is left as it is)."""
    if not LETTER_SPACED.search(text):
        return text
    return LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", "") if len(set(m.group(0))) > 2 else m.group(0), text)


def first_part(value: str | None) -> str | None:
    """A header value up to its first comma, bracket or wide gap: 'Runar Danielsen, SiV' -> 'Runar Danielsen'."""
    return re.split(r",|\s+\(|\s{2,}", value)[0].strip() if value else None


CAPS_TITLE = re.compile(r"^(?P<title>(?:[A-ZÆØÅ0-9/&,-]{2,}\s+)+[A-ZÆØÅ0-9/&,-]{2,})\s+(?=[A-ZÆØÅ][a-zæøå])")


def caps_head(text: str) -> tuple[str, str] | None:
    """(title, what follows) for a line that opens with a title in capitals and goes on in ordinary
    text ('EKSTERN GRANSKNING Tilbud fra tre selskaper …'); None otherwise."""
    m = CAPS_TITLE.match(text)
    return (m.group("title"), text[m.end():]) if m else None
