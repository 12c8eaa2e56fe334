"""Meeting header of one document: body, date, times, location, chair, minute taker, organisation."""
from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .. import vocab
from ..models import Attendee, Line
from ..values import body_abbrev, parse_date, parse_times
from .recognisers import NAME_WORD, first_part, is_name, label_value, person, row_head, row_text, unspaced

# Fields also taken from a header block printed after the case list has begun (a page-1 block that
# text extraction placed after the first cases).
LATE_FIELDS = {"body", "chair", "minute_taker", "location", "datetime", "datetime_place"}


@dataclass
class Header:
    fields: dict[str, str] = field(default_factory=dict)  # first value per header field
    heading: str | None = None


def lines_to_header(lines: Sequence[Line], zone_end: int) -> Header:
    v = vocab.load()
    header = Header()
    order = list(range(min(zone_end, len(lines)))) + list(range(zone_end, len(lines)))
    for i in order:
        line = lines[i]
        if line.col not in (None, 0):
            continue
        hit = label_value(line.text if line.row is None else row_text(lines, i))
        if hit and not hit[1] and line.row is None and i + 1 < len(lines) and lines[i + 1].row is None \
                and not label_value(lines[i + 1].text) and not v.attendee_label.match(lines[i + 1].text):
            hit = (hit[0], lines[i + 1].text.strip())  # 'Møtedato:' with its value on the next line
        if hit and hit[1] and (i < zone_end or hit[0] in LATE_FIELDS):
            header.fields.setdefault(hit[0], hit[1])
        if header.heading is None and line.col is None and v.headings.patterns.matches(line.text):
            header.heading = line.text
    return header


def meeting_date(header: Header, doc_type: str) -> str | None:
    v = vocab.load()
    for key in ("datetime", "datetime_place", "date"):
        value = header.fields.get(key)
        if value and (key != "date" or doc_type in v.dated_types):
            found = parse_date(value)
            if found:
                return found
    return parse_date(header.heading) if header.heading else None


def headline_date(lines: Sequence[Line], doc_type: str, times: tuple[str | None, str | None]
                  ) -> tuple[str | None, tuple[str | None, str | None]]:
    """A date the header block does not label: the first full date on an opening line that names
    the meeting ('Referat fra styremøte i VLF onsdag 23. mai 2023 kl 1800-1915'), else on a short
    opening line that begins with a date or a weekday ('13 januar 2015', 'Mandag 7.feb. 2011 kl. 19.00');
    the times written on such lines; in minutes, else a date standing alone on the last line (the
    signature's date)."""
    v = vocab.load()
    head = lines[:v.headline_lines]
    opening = [row_text(head, i) for i, ln in enumerate(head) if ln.row is None or row_head(head, i) == i]
    headlines = [t for t in opening if v.headline.search(t)]
    dated = [t for t in opening if v.dated_line.match(t) and len(t.split()) <= DATED_LINE_WORDS]
    timed = [t for t in opening if v.timed_line.match(t) and len(t.split()) <= TIME_LINE_WORDS]  # 'Kl 18.00-20.00'
    if not times[0]:
        times = next((found for t in headlines + dated + timed for found in [parse_times(t)] if found[0]), times)
    for text in headlines + dated:  # 'Referat fra styremøte … 23. mai 2023', then '13 januar 2015' alone
        found = parse_date(text)
        if found:
            return found, times
    if doc_type in ("referat", "protokoll") and lines:
        last = lines[-1].text.strip()
        if len(last.split()) <= 3:
            found = parse_date(last)
            if found:
                return found, times
    return None, times


# a name and a title closing a line or followed by the next name ('Olav Førde Styreleder', 'Arne Schei
# sekretær'), not a verb in a sentence ('Gro Aasland leder den innledende fase')
SIGNED = re.compile(r"(?P<name>(?:[A-ZÆØÅ][\wæøå.-]*\s+){1,4})(?P<title>[A-ZÆØÅa-zæøå]+)\b"
                    r"(?=\s*$|\s+sign\b|\s+[A-ZÆØÅ0-9])")
# a title's short form with its dot closing a signature: 'Torunn Nilsen ref.' (vocab.toml title_notes)
SIGNED_SHORT = re.compile(r"(?P<name>(?:[A-ZÆØÅ][\wæøå.-]*\s+){1,4})(?P<title>[a-zæøå]{2,5})\."
                          r"(?=\s*$|\s+[A-ZÆØÅ0-9])")


def role_holder(attendees: Sequence[Attendee], lines: Sequence[Line], titles: frozenset[str]) -> str | None:
    """The person a document names in a role without a header label: the attendee whose title is
    the role ('Marit Holm, KA, leder'), else a signature ('Olav Helge Førde Styreleder', 'Arne
    Schei sekretær') among the document's lines."""
    for a in attendees:
        if a.title and a.title.casefold().strip(" ,.") in titles and a.status != "absent":
            return a.name
    v = vocab.load()
    roles = v.chair_titles | v.minute_taker_titles
    spelled = titles | {short for short, full in v.title_notes.items() if full in titles}  # 'Torunn Nilsen ref.'
    for k in lines_holding(spelled, [line.text for line in lines]):  # most lines name no role
        line = lines[k]
        for m in [*SIGNED.finditer(line.text), *SIGNED_SHORT.finditer(line.text)]:
            short = m.re is SIGNED_SHORT  # 'Torunn Nilsen ref.' marks the role wherever it stands
            if m.group("title").casefold() not in spelled or not (short or _signs(line.text, m, roles)):
                continue
            words = m.group("name").split()
            for k in range(len(words) - 1):  # the longest run of name words before the title
                if is_name(" ".join(words[k:])):
                    return " ".join(words[k:])
    return None


TOLD_LINES = 150  # a document's lines searched for a sentence naming its chair or minute taker


def told_role(lines: Sequence[Line], patterns: vocab.Patterns) -> str | None:
    """The person a sentence names in a role ('Møtet ble leda av Paul Dahlø.', 'Protokollen vart
    ført av Kari Holm.'), among the document's first lines."""
    for line in lines[:TOLD_LINES]:
        hit = patterns.first(line.text, search=True)  # behind the patterns' look at first letters
        if hit:
            name = hit[1].group("name").rstrip(".,;:")
            while name and not is_name(name) and len(name.split()) > 2:
                name = name.rsplit(" ", 1)[0]  # 'Paul Dahlø Innkalling': the name's words before the next
            if is_name(name) or name in vocab.load().first_names:  # 'Marie ledet møtet.'
                return name
    return None


def lines_holding(titles: frozenset[str], texts: list[str]) -> list[int]:
    """The indices, in order, of the texts that hold any of the titles (_titles_re), found with one
    search over the texts joined by newlines (a title holds none, so a match stays in its text)."""
    hint = _titles_re(titles)
    if not texts:
        return []
    if any("\n" in t for t in texts) or any("\n" in t for t in titles):
        return [k for k, t in enumerate(texts) if hint.search(t)]
    joined = "\n".join(texts)
    starts = list(itertools.accumulate((len(t) + 1 for t in texts), initial=0))  # and one past the end
    out: list[int] = []
    m = hint.search(joined)
    while m is not None:
        k = bisect.bisect_right(starts, m.start()) - 1
        out.append(k)
        m = hint.search(joined, starts[k + 1]) if k + 1 < len(texts) else None
    return out


@lru_cache(maxsize=8)
def _titles_re(titles: frozenset[str]) -> re.Pattern[str]:
    """Does a line hold any of the titles (case-insensitive, anywhere)? A title that holds another
    ('styreleder', 'leder') is found by the shorter one, so only the shortest are searched for,
    behind a look at the first letter (one test per character instead of one per title)."""
    kept = sorted(t for t in titles if not any(o != t and o in t for o in titles))
    if not kept or "" in titles:
        return re.compile("|".join(sorted(map(re.escape, titles))), re.I)
    first = "".join(sorted({re.escape(t[0]) for t in kept}))
    return re.compile(f"(?=[{first}])(?:{'|'.join(map(re.escape, kept))})", re.I)


def _signs(text: str, m: re.Match[str], roles: frozenset[str]) -> bool:
    """A signature, not a sentence wrapped after a verb ('… og Gro Aasland leder' / 'den …'): followed
    by 'sign.' or the next name, or standing alone, or after another signature."""
    after = text[m.end():].strip()
    if after:
        return True
    before = text[:m.start()].strip().rstrip(".").split()
    # after a place and date line ('Bjørkelangen, Rune Holter sekretær', 'Oslo, 3. mai 2022 Kari Holm leder')
    placed = bool(before) and (before[-1].endswith(",") or bool(DATE_END.search(before[-1])))
    return not before or placed or before[-1].casefold() in roles | {"sign", "hilsen", "helsing"}


DATE_END = re.compile(r"^(?:\d{4}|\d{1,2}\.\d{1,2}\.\d{2,4})$")  # a year or a date closing the place line


TIME_LINE_WORDS = 6  # an opening line that opens with a time and is no longer than this gives the hours
DATED_LINE_WORDS = 12  # a line that opens with a date or a weekday and is no longer than this names the day


def times(header: Header) -> tuple[str | None, str | None]:
    for key in ("datetime", "datetime_place", "date", "location"):  # 'Sted: via Teams Kl 18.00-20.00'
        if header.fields.get(key):
            start, end = parse_times(header.fields[key])
            if start:
                return start, end
    return None, None


def closing_time(lines: Sequence[Line]) -> str | None:
    """The time a sentence closes the meeting at ('Møtet hevet kl. 21.30', 'Møte heva kl 1430')."""
    joined = "\n".join(line.text for line in lines)  # one search, not one a line; a match stays in its line
    m = next((m for m in vocab.load().closing_time.finditer(joined) if "\n" not in m.group(0)), None)
    return parse_times("kl " + m.group("time"))[0] if m else None


PLACE_TIME = re.compile(r"[\s,]*\bkl\.?\s*\d{1,2}(?:[.:]\d\d)?.*$", re.I)  # the time after a place: '…, kl. 18.00'


def location(header: Header) -> str | None:
    if header.fields.get("location"):
        return PLACE_TIME.sub("", header.fields["location"]).strip(" ,.") or None
    value = header.fields.get("datetime_place")
    if not value:
        return None
    parts = [p.strip() for p in re.split(r",\s*|\.\s+", value)]
    keep = [p for p in parts if p and not re.search(r"\d{1,2}[.:/]\d{2}|\bkl\b", p)]
    return ", ".join(keep).strip(" ,.") or None


INITIALS = re.compile(r"^[A-ZÆØÅ][a-zæøå]+(?:\s+[A-ZÆØÅ][a-zæøå]+)?\s+[A-ZÆØÅ]{2,4}$")  # 'Ellen HF'


def surname_of(value: str | None, attendees: Sequence[Attendee]) -> str | None:
    """A labelled chair or minute taker written by surname alone ('Møteleiar: Aasland'), when an
    attendee of the document has that surname ('Tora Aasland'): as written."""
    first = first_part(value)
    word = first.rstrip(" .") if first else ""
    if not word or " " in word or not NAME_WORD.match(word) or len(word) < 3:
        return None
    return word if any(a.name.split()[-1] == word for a in attendees if len(a.name.split()) >= 2) else None


def minute_taker(value: str | None) -> str | None:
    """A person, a first name with initials ('Ellen HF, 13.08.23'), or a unit named in vocab.toml
    ('Sekretariatet'): a referent need not be a person."""
    first = first_part(value)
    units = vocab.load().minute_taker_units
    if first and (any(first.casefold() == u.casefold() for u in units) or INITIALS.match(first)):
        return first
    return person(value)


def body(header: Header, texts: Sequence[str]) -> tuple[str | None, str | None]:
    """The meeting body: a known body (vocab.toml [bodies]) in the labelled field, the heading or the
    opening lines; else the labelled field as written ('Utval: Levekårsutvalet'); else a body the
    opening lines name after a cue ('Møteprotokoll for Formannskapet', 'Til medlemmene i …')."""
    for text in [header.fields.get("body", ""), header.heading or "", header.fields.get("topic", ""), *texts]:
        if text:
            name, abbrev = body_abbrev(text)
            if name:
                return name, abbrev
    stated = first_part(header.fields.get("body"))
    if stated and vocab.load().body_word.search(stated):
        return stated.strip(" .:"), None
    opening = texts[:vocab.load().headline_lines]
    return named_body([unspaced(t) for t in opening]) or next((t.strip() for t in opening if _bare_body(t)), None), None


def _bare_body(text: str) -> bool:
    """An opening line that is only a body's name ('Brukerrådet')."""
    words = text.split()
    return 0 < len(words) <= 3 and words[0][:1].isupper() and bool(vocab.load().body_word.search(words[-1])) \
        and not text.rstrip().endswith((".", ":")) and not vocab.load().headings.patterns.matches(text) \
        and not any(w.endswith(":") for w in words)  # a label's value ('Møtested: Kommunestyresalen')


def named_body(texts: Sequence[str]) -> str | None:
    """'Møteprotokoll for Helse- og sosialutvalet', 'MØTE I REGIONRÅDET NORDHORDLAND', 'møte i
    styringsgruppen for DMS Inn-Trøndelag': the words after the cue up to a date, a number or the
    line's end, when one of them is a body's word (utval, råd, styre, gruppe, ting, …)."""
    for text in texts:
        for m in vocab.load().body_cue.finditer(text):
            words: list[str] = []
            for word in text[m.end():].split():
                if vocab.load().body_stop.match(word) or len(words) >= BODY_MAX_WORDS:
                    break
                words.append(word)
                if word.endswith((",", ".", ":", ";")):
                    break
            found = _body_words(words)
            if found:
                return found
    return None


BODY_MAX_WORDS = 9


def _opens_label(words: list[str], k: int) -> bool:
    """words[k] begins a label ('Vår ref.:', 'Saksnr:'), not a place after a body's name."""
    return words[k].endswith(":") or k + 1 < len(words) and words[k + 1].endswith(":")


def _body_words(words: list[str]) -> str | None:
    """The body in words after a cue: up to the word naming the body, and a complement after it
    that is capitalised ('… Møre og Romsdal') or joined by 'for' ('Råd for mennesker med …')."""
    labelled = next((k for k, w in enumerate(words) if w.endswith(":")), len(words))
    if 0 < labelled < len(words) and words[labelled][:1].islower():
        labelled -= 1  # 'Vår ref.:': the label began a word earlier
    words = [w.rstrip(",.:;") for w in words[:labelled]]  # 'Møte: 6/2014' is the next label
    at = next((k for k, w in enumerate(words) if vocab.load().body_word.search(w)), None)
    if at is None or not (words[0][:1].isupper() or at == 0):
        return None
    end = at + 1
    if end < len(words) and words[end].casefold() in ("for", "i"):
        end = len(words)
    else:
        while end < len(words) and (words[end][:1].isupper() or words[end] == "og" and end + 1 < len(words)) \
                and not _opens_label(words, end) and (not words[end].isupper() or words[at].isupper()):
            end += 1
    found = GENITIVE.sub("", " ".join(words[:end]).strip(" -–"))  # 'sentralstyrets møte': the Sentralstyret
    return found[:1].upper() + found[1:] if found else None  # 'møte i styringsgruppen for …': a name


GENITIVE = re.compile(r"(?<=[ea][tn])s$")  # a definite noun's genitive closing a body's name: 'styrets', 'rådets'


@lru_cache(maxsize=4)
def file_organisation(file_texts: tuple[str, ...]) -> str | None:
    """organisation() of a file's opening lines, asked once per document in the file."""
    return organisation(file_texts)


@vocab.text_cache  # the opening lines, all lines, the file's opening lines: asked again
def _names_organisation(text: str) -> bool:
    return vocab.load().organisations.found_in(text)


def organisation(texts: Sequence[str]) -> str | None:
    v = vocab.load()
    texts = [t for t in texts if _names_organisation(t)]  # most name no organisation
    for pattern in v.organisations:
        for text in texts:
            m = pattern.search(text)
            if m:
                return str(m.group(0))
    return None
