"""The two data files, each loaded once into a typed record: data/vocab.toml (the words and
patterns the parsers recognise, compiled) and data/taxonomy.toml (organisations, topics and
decision outcomes)."""
from __future__ import annotations

import re
import re._constants as _C  # type: ignore[import-not-found]  # the parser of the re module: how a pattern starts
import re._parser as _sre  # type: ignore[import-not-found]
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources
from re import Pattern
from typing import Any, TypeVar, cast

T = TypeVar("T")

FLAGS = re.IGNORECASE
# What a line's text is does not change: the verdicts asked of one line by several passes (and of
# a running header on every page) are worked out once per file (text_cache). Bounded (least
# recently asked dropped): a long document's distinct lines, about 1 MB per verdict kept.
TEXT_CACHE = 1 << 12
_TEXT_CACHES: list[Any] = []


def text_cache(fn: T) -> T:
    """`fn`, a pure function of a line's text, remembered for the file being read: forget_texts()
    (at the start of each file) empties every such memory, so a file's reading never depends on the
    files read before it in the same process, nor is it sped up by them."""
    cached: Any = lru_cache(maxsize=TEXT_CACHE)(fn)  # type: ignore[arg-type]
    _TEXT_CACHES.append(cached)
    return cast(T, cached)


def forget_texts() -> None:
    for cached in _TEXT_CACHES:
        cached.cache_clear()
LOOSE_LABEL_MIN = 6  # header labels this long may be followed by a plain space instead of ':'


def _alts(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _label_re(labels: list[str]) -> Pattern[str]:
    """A label at the start of a line, ending with ':' or a tab/space run, its value after it."""
    return re.compile(rf"^(?P<label>{_alts(labels)})\s*(?::|\t|\s{{2,}}|$)\s*(?P<value>.*)$", FLAGS)


def _told(patterns: list[str], word: str) -> Patterns:
    """Sentences naming a person in a role, the person's words (`word`, compared with case) put in
    as group `name`: {name} two to four of them, {name_or_first} one to four."""
    def name(fewest: int) -> str:
        return rf"(?P<name>(?-i:{word}(?:\s+{word}){{{fewest - 1},3}}))"
    return Patterns(re.compile(p.replace("{name_or_first}", name(1)).replace("{name}", name(2)), FLAGS)
                    for p in patterns)


class Patterns(tuple[Pattern[str], ...]):
    """Compiled patterns in their order, with one alternation of them all so that "does any of
    them match at the start?" is one regex call instead of one per pattern (most lines match none)."""

    union: Pattern[str] | None

    def __new__(cls, patterns: Iterable[Pattern[str]]) -> Patterns:
        self = super().__new__(cls, patterns)
        self.union = _union(list(self))
        return self

    def matches(self, text: str) -> bool:
        if self.union is not None:
            return self.union.match(text) is not None
        return any(p.match(text) for p in self)

    def found_in(self, text: str) -> bool:
        """Does any of the patterns occur anywhere in `text` (search)?"""
        union, patterns = self._searchers
        if union is not None:
            return union.search(text) is not None
        return any(p.search(text) for p in patterns)

    def first(self, text: str, search: bool = False) -> tuple[int, re.Match[str]] | None:
        """(index, match) of the first pattern matching at the start of `text` (`search`:
        occurring anywhere in it; the match is that of the pattern behind its first-character
        guard, `guarded`: the same span and groups)."""
        if search:
            union, patterns = self._searchers
        else:
            union, patterns = self.union, self
        if union is not None and (union.search(text) if search else union.match(text)) is None:
            return None
        for i, p in enumerate(patterns):
            m = p.search(text) if search else p.match(text)
            if m:
                return i, m
        return None

    @cached_property
    def _searchers(self) -> tuple[Pattern[str] | None, tuple[Pattern[str], ...]]:
        """The union and the patterns for searching, each behind a look at the characters it can
        start with (`guarded`), made at the first search."""
        return (guarded(self.union, list(self)) if self.union is not None else None,
                tuple(guarded(p, [p]) for p in self))


def guarded(pattern: Pattern[str], parts: list[Pattern[str]]) -> Pattern[str]:
    """`pattern` (one of `parts` or their union) behind a look-ahead at the characters any of
    `parts` can start a match with, compared ignoring case ('(?=(?i:[ABFS]))'), where each part
    opens with a literal or a set of them after zero-width tests (\\b, look-arounds). A search then
    passes over every other character with one test instead of trying every branch there; the
    matches are the same (ignoring case the look accepts every character a part's first one can
    match, with or without its flags). Else `pattern` as it is."""
    chars: set[int] = set()
    for p in parts:
        first = _first_chars(_sre.parse(p.pattern, p.flags))
        if not first:
            return pattern
        chars |= first
    look = "".join(re.escape(chr(c)) for c in sorted(chars))
    return re.compile(f"(?=(?i:[{look}]))(?:{pattern.pattern})", pattern.flags)


def _first_chars(items: Any) -> set[int] | None:
    """The characters (code points) a parsed sequence's match can start with, as written (before
    case folding); None where that is not a short list of literals."""
    opening = _opening(items, through_optional=False)
    if opening is None:
        return None
    out: set[int] = set()
    for op, av in opening:
        if op is _C.LITERAL:
            out.add(av)
        elif op is _C.RANGE and av[1] - av[0] < 64:
            out.update(range(av[0], av[1] + 1))
        else:
            return None  # a negated set, a category
    return out


def _union(patterns: list[Pattern[str]]) -> Pattern[str] | None:
    """One pattern matching where any of `patterns` does (each keeps its flags, scoped to its
    branch); None where they cannot be joined (back-references, flags that cannot be scoped)."""
    parts = []
    for p in patterns:
        flags = p.flags & ~re.UNICODE
        letters = "".join(ch for flag, ch in _SCOPED if flags & flag)
        if flags & ~_SCOPED_ALL or "(?P=" in p.pattern or re.search(r"\\[1-9]", p.pattern):
            return None
        body = _NAMED.sub("(?:", p.pattern)
        parts.append(f"(?{letters}:{body})" if letters else f"(?:{body})")
    try:
        return re.compile("|".join(parts)) if parts else None
    except re.error:
        return None


_NAMED = re.compile(r"\(\?P<[A-Za-z_]\w*>")
_SCOPED = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))
_SCOPED_ALL = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE


class Labelled(tuple[tuple[Pattern[str], T], ...]):
    """(pattern, name) pairs in their order, with the patterns' quick test as in Patterns. A name
    is what a match stands for: a label (str), or for meeting bodies a (name, abbreviation) pair."""

    patterns: Patterns

    def __new__(cls, pairs: Iterable[tuple[Pattern[str], T]]) -> Labelled[T]:
        self = super().__new__(cls, pairs)
        self.patterns = Patterns(p for p, _ in self)
        return self

    def first(self, text: str, search: bool = False) -> tuple[T, re.Match[str]] | None:
        """(name, match) of the first pattern matching at the start of `text` (`search`: anywhere)."""
        hit = self.patterns.first(text, search)
        return (self[hit[0]][1], hit[1]) if hit else None


@dataclass(frozen=True)
class Vocab:
    case_families: Patterns  # numbered styles first, the plain list last
    numbered_families: int  # how many of case_families are numbered styles
    case_list_headers: Patterns
    type_word: Pattern[str]
    title_label: Pattern[str]  # a label before a case's title on its line ('Behandles :'), dropped
    skip_line: Pattern[str]
    opening_items: Patterns
    closing_items: Patterns
    case_enders: Patterns
    decision_labels: Labelled[str]
    outcomes: Patterns
    number_words: dict[str, int]  # 'to' -> 2, in votes
    narrative: Pattern[str]  # a sentence telling what happened in the meeting, not what was adopted
    not_decisions: Patterns
    headings: Labelled[str]
    cues: Labelled[str]
    furniture_identity: Pattern[str]
    header_field: dict[str, str]
    header_label: Pattern[str]
    loose_header_label: Pattern[str]  # long labels followed by a plain space instead of ':'
    present_label: Pattern[str]
    present_word: Pattern[str]  # a line opening with a presence word, with or without a colon
    absent_label: Pattern[str]
    attendee_label: Pattern[str]
    bodies: tuple[tuple[str, str], ...]
    body_names: dict[str, str]  # a body as written -> the name it is known by ('Styremøte' -> 'Styret')
    body_cue: Pattern[str]  # words after which a heading names its meeting body
    body_stop: Pattern[str]  # a word that ends a body's name after a cue
    body_word: Pattern[str]  # a stem that makes a phrase a body's name (utval, råd, styre, …)
    organisations: Patterns
    not_name_words: frozenset[str]
    first_names: frozenset[str]  # data/first_names.txt: where a run of names without separators is cut
    table_roles: frozenset[str]  # roles in a flattened attendee table, the title of the name beside them
    table_words: frozenset[str]  # column headers and roles in a flattened attendee table (casefolded)
    flat_table_header: Pattern[str]  # an attendee table's column headers run into the names below them
    absent_mark: Pattern[str]  # a word beside a name in a flattened table saying the person was absent
    present_mark: Pattern[str]  # … saying the person came
    organisation_word: Pattern[str]  # a word that makes a list entry an organisation, not a person
    not_name_ending: Pattern[str]  # a word ending so is a title, body or document, not a name
    attendee_notes: Patterns
    table_columns: dict[str, str]  # attendee-table header word (casefolded) -> org | name | mark | deputy
    deputy_mark: Pattern[str]  # a mark cell saying the deputy came
    attachment_titled: Patterns
    attachment_list_head: Patterns
    attachment_count: Patterns
    case_types: dict[str, str]  # word stem (casefolded) -> case type, first match wins
    responsible_header: Pattern[str]  # a case list's column header naming who is responsible
    single_case_types: frozenset[str]  # doc types that hold one case (a case paper)
    dated_types: frozenset[str]  # doc types whose plain 'Dato' field is the meeting date
    heading_rows: tuple[str, ...]  # table rows that open a document whatever their length
    heading_meeting: Pattern[str]  # a heading that names a meeting in full
    preamble_labels: tuple[str, ...]  # header-block labels above a case paper's title
    dangling_words: frozenset[str]  # words a line cannot end on (it continues on the next)
    role_groups: frozenset[str]  # attendee labels that name a group (Sekretariat, Observatør, …)
    not_persons: frozenset[str]  # last words of attendee-list entries that name a group (casefolded)
    chair_titles: frozenset[str]  # titles that make an attendee or a signature the chair (casefolded)
    minute_taker_titles: frozenset[str]  # … the minute taker
    title_notes: dict[str, str]  # a bracketed note after a name -> the title it is (casefolded, no dots)
    told_chair: Patterns  # sentences that name the chair in prose (group `name`)
    told_minute_taker: Patterns  # … the minute taker
    minute_taker_units: tuple[str, ...]  # units that may take the minutes (Sekretariatet)
    title_words: Labelled[str]  # words in a document's opening lines that name its type
    title_lines: int
    minutes_default: str  # the type of minutes that name none
    dated_line: Pattern[str]  # a line that opens with a date or a weekday
    timed_line: Pattern[str]  # a line that opens with the meeting's time ('Kl 18.00-20.00')
    closing_time: Pattern[str]  # 'Møtet hevet kl. 21.30': the meeting's end (group `time`)
    headline: Pattern[str]  # an opening line that names the meeting (its date is the meeting's)
    headline_lines: int
    page_heading_lines: int  # a page whose first short lines name a type opens a document
    page_heading_words: int
    case_paper_lines: int  # … or whose first lines hold a case officer and a case number
    case_officer: Pattern[str]
    case_paper_board: Pattern[str]
    reflow_cue: Pattern[str]  # where flattened text opens a new line
    reflow_cue_without_colon: Pattern[str]  # … those of its cues that need no ':' (a text without one)
    strong_label: Pattern[str]  # … even in a laid-out line, after a finished sentence
    bare_case_number: Pattern[str]  # a case number with no prefix (a cue only in a counting run)
    reflow_hint: Pattern[str]  # a cue phrase's telltale word: a text with none (and no ':' or number) has no cue
    reflow_closing: Pattern[str]  # a letter's closing formula or copy list: the case list ends before it


@cache
def toml_data() -> dict[str, Any]:
    """data/vocab.toml as read (load() compiles it; not to be changed)."""
    return tomllib.loads(resources.files("pipeline").joinpath("data/vocab.toml").read_text("utf-8"))


@cache
def load() -> Vocab:
    data = toml_data()
    cn, cl, dec, docs, hdr, att = (data[k] for k in
                                   ("case_numbers", "case_list", "decisions", "documents", "header", "attendees"))
    numbered = tuple(re.compile(f.replace("{prefix}", cn["prefix"]), FLAGS) for f in cn["families"])
    return Vocab(
        case_families=Patterns(numbered + (re.compile(cn["plain_list"]),)),
        numbered_families=len(numbered),
        case_list_headers=Patterns(re.compile(p, FLAGS) for p in cl["headers"]),
        type_word=re.compile(rf"^(?:{_alts(cl['type_words'])})(?:\s*[/,]\s*(?:{_alts(cl['type_words'])}))*\s*$", FLAGS),
        title_label=re.compile(rf"^(?:{_alts(cl['title_labels'])})\s*:\s*", FLAGS),
        skip_line=re.compile(rf"^(?:{_alts(cl['skip_lines'])})\s*$"),
        opening_items=Patterns(re.compile(p, FLAGS) for p in cl["opening_items"]),
        closing_items=Patterns(re.compile(p) for p in cl["closing_items"]),
        case_enders=Patterns(re.compile(p) for p in cl["case_enders"]),
        decision_labels=Labelled((re.compile(_decision_label(p, dec["loose_label_words"]), FLAGS), norm)
                                 for p, norm in dec["labels"]),
        outcomes=Patterns(re.compile(p, FLAGS) for p in dec["outcomes"]),
        number_words={k.casefold(): int(n) for k, n in dec["number_words"].items()},
        narrative=re.compile(rf"\b(?:{_alts(dec['narrative'])})\b", FLAGS),
        not_decisions=Patterns(re.compile(p, FLAGS) for p in dec["not_decisions"]),
        headings=Labelled((re.compile(p, FLAGS), t) for p, t in docs["headings"]),
        cues=Labelled((re.compile(p, FLAGS), t) for p, t in docs["cues"]),
        furniture_identity=re.compile(docs["furniture_identity"], FLAGS),
        header_field={k.casefold(): v for k, v in hdr["fields"]},
        header_label=_label_re([k for k, _ in hdr["fields"]]),
        loose_header_label=re.compile(
            rf"^(?P<label>{_alts([re.escape(k) for k, _ in hdr['fields'] if len(k) >= LOOSE_LABEL_MIN])})"
            r" (?P<value>.*)$", FLAGS),
        present_label=_label_re(att["present"]),
        present_word=re.compile(rf"^(?:{_alts(att['present'])})\b", FLAGS),
        absent_label=_label_re(att["absent"]),
        attendee_label=_label_re(att["present"] + att["absent"]),
        bodies=tuple((n[0], n[1]) for n in data["bodies"]["names"]),
        body_cue=re.compile(rf"(?:{'|'.join(data['bodies']['body_cues'])})\s+(?:møte\s+i\s+)?", FLAGS),
        body_stop=re.compile(rf"^(?:{'|'.join(data['bodies']['body_stops'])})", FLAGS),
        body_word=re.compile(rf"(?:{'|'.join(data['bodies']['body_words'])})", FLAGS),
        body_names={n[0]: n[2] for n in data["bodies"]["names"] if len(n) > 2},
        organisations=Patterns(re.compile(p) for p in data["organisations"]["patterns"]),
        not_name_words=frozenset(w.casefold() for w in data["names"]["not_name_words"]),
        first_names=_first_names(),
        table_roles=frozenset(w.casefold() for w in att["table_roles"]),
        table_words=frozenset(w.casefold() for w in att["table_words"] + att["table_org"] + att["table_name"]
                              + att["table_mark"] + att["table_deputy"]),
        flat_table_header=_flat_table_header(att),
        present_mark=re.compile(rf"^(?:{_alts([re.escape(w) for w in att['present_marks']])})$"),
        absent_mark=re.compile(rf"^(?:{_alts(att['absent_marks'])})$", FLAGS),
        organisation_word=re.compile(rf"(?:^|\s)(?:{_alts(data['names']['organisation_words'])})(?:$|\s|,)", FLAGS),
        not_name_ending=re.compile(rf"(?:{_alts(data['names']['not_name_endings'])})$", FLAGS),
        attendee_notes=Patterns(re.compile(p, FLAGS) for p in att["notes"]),
        table_columns={w.casefold(): role for role in ("org", "name", "mark", "deputy") for w in att[f"table_{role}"]},
        deputy_mark=re.compile(rf"^\s*(?:{_alts(att['table_deputy_marks'])})\s*$", FLAGS),
        attachment_titled=Patterns(re.compile(p) for p in data["attachments"]["titled"]),
        attachment_list_head=Patterns(re.compile(p) for p in data["attachments"]["list_head"]),
        attachment_count=Patterns(re.compile(p, FLAGS) for p in data["attachments"]["count"]),
        case_types=dict(cl["case_types"]),
        responsible_header=re.compile(rf"\b(?:{'|'.join(re.escape(h) for h in cl['responsible_headers'])})\b", re.I),
        single_case_types=frozenset(docs["single_case_types"]),
        dated_types=frozenset(hdr["dated_types"]),
        heading_rows=tuple(docs["heading_rows"]),
        heading_meeting=re.compile(docs["heading_meeting"], re.I),
        preamble_labels=tuple(docs["preamble_labels"]),
        dangling_words=frozenset(docs["dangling_words"]),
        role_groups=frozenset(att["role_groups"]),
        not_persons=frozenset(w.casefold() for w in att["not_persons"]),
        minute_taker_units=tuple(att["minute_taker_units"]),
        chair_titles=frozenset(w.casefold() for w in att["chair_titles"]),
        minute_taker_titles=frozenset(w.casefold() for w in att["minute_taker_titles"]),
        told_chair=_told(att["told_chair"], att["told_word"]),
        told_minute_taker=_told(att["told_minute_taker"], att["told_word"]),
        title_notes={**{t.casefold(): t.casefold() for t in att["chair_titles"] + att["minute_taker_titles"]},
                     **{k.casefold(): v.casefold() for k, v in att["title_notes"].items()}},
        title_words=Labelled((re.compile(p, FLAGS), t) for p, t in docs["title_words"]),
        title_lines=docs["title_lines"],
        minutes_default=docs["minutes_default"],
        headline=re.compile(docs["headline"], FLAGS),
        dated_line=re.compile(docs["dated_line"], FLAGS),
        timed_line=re.compile(docs["timed_line"], FLAGS),
        closing_time=re.compile(docs["closing_time"], FLAGS),
        headline_lines=docs["headline_lines"],
        page_heading_lines=docs["page_heading_lines"],
        page_heading_words=docs["page_heading_words"],
        case_paper_lines=docs["case_paper_lines"],
        case_officer=re.compile(docs["case_officer"], FLAGS),
        case_paper_board=re.compile(docs["case_paper_board"], FLAGS),
        reflow_cue=_reflow_cue(data),
        reflow_cue_without_colon=_reflow_cue(data, colon=False),
        strong_label=re.compile("|".join(f"(?:{p})" for p in data["reflow"]["strong_labels"]), FLAGS),
        bare_case_number=re.compile(data["reflow"]["bare_case_number"]),
        reflow_hint=re.compile(occurs(data["reflow"]["hints"]), FLAGS),
        reflow_closing=re.compile(rf"^(?:{'|'.join(data['reflow']['closing'])})", FLAGS),
    )


def _flat_table_header(att: dict[str, Any]) -> Pattern[str]:
    """'Navn Tilstede Forfall', 'Navn Funksjon Representerer': a name column's header and one or more
    other column headers, as a table flattened into a line writes them."""
    roles = {w.casefold() for w in att["table_roles"]}  # a role opens the first row, not the header
    others = _alts([re.escape(w) for w in att["table_mark"] + att["table_org"] + att["table_words"]
                    if w.casefold() not in roles])
    return re.compile(rf"^(?:{_alts(att['table_name'])})(?:\s+(?:{others})\b){{1,4}}", FLAGS)


def _decision_label(label: str, loose_words: int) -> str:
    """A decision label at the start of a line, ending with ':' or the line; a label of `loose_words`
    words or more also where a capital or a number follows ('Forslag til vedtak Styret godkjenner')."""
    loose = len(label.split()) >= loose_words
    return rf"^(?:{label})\s*(?::|${'|(?=[A-ZÆØÅ0-9])' if loose else ''})"


def _first_names() -> frozenset[str]:
    text = resources.files("pipeline").joinpath("data/first_names.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


# a case number as the families write it (a slash, a year with a dot, a dash), never a date ('29.02.24')
NUMBER_SHAPES = r"(?:\d{1,4}\s?/\s?\d{2,4}|(?:19|20)\d\d\.\s?\d{1,3}(?![.\d])|[A-Z]?\d{1,3}\s?[-–]\s?\d{2,4})\b"


def _reflow_cue(data: dict[str, Any], quick: bool = True, colon: bool = True) -> Pattern[str]:
    """Every header, attendee and decision label followed by ':', every case number with its prefix,
    and the [reflow] labels, phrases (case-sensitive) and role groups; a capitalised word with a
    colon in the middle of a line ('… Knut Moe Rådmenn: …'). `quick`: with the tests that make the
    search fast and find the same matches (word_led, guard_words, by_first_letter, and one '\\b'
    before every cue that starts a word, all but the table headers: the search passes over the
    inside of words with that one test). `colon=False`: only the cues that need no ':', which find in
    a text without one what all of them find."""
    r, att = data["reflow"], data["attendees"]
    labels = ([re.escape(k) for k, _ in data["header"]["fields"]]
              + [re.escape(k) for k in att["present"] + att["absent"]]
              + [p for p, _ in data["decisions"]["labels"]] + r["labels"])
    phrases = "|".join(r["label_phrases"])
    prefix = data["case_numbers"]["prefix"]
    labelled = rf"\b(?:{by_first_letter(labels) if quick else '|'.join(labels)})\s?:|" if colon else ""
    grouped = rf"|\b(?:{'|'.join(r['group_labels'])})\s?:|(?<=[\w)] )[A-ZÆØÅ][\wæøå]{{1,20}}:(?= )" if colon else ""
    word_start = (rf"{labelled}\b(?:{phrases})|\b{prefix}\s*{NUMBER_SHAPES}"
                  rf"|(?-i:\b(?:{'|'.join(r['phrases'])})\b{grouped})")
    table = rf"(?-i:{'|'.join(r['table_headers'])})"
    if not quick:
        return re.compile(f"{word_start}|{table}", FLAGS)
    return word_led(re.compile(guard_words(rf"\b(?:{word_start})|{table}"), FLAGS))


LETTERS = "A-Za-zÆØÅæøå"


def by_first_letter(alternatives: list[str], ignorecase: bool = True) -> str:
    """The alternation of `alternatives` (patterns, in their order) with each run of those that open
    with a letter of their own gathered by that letter ('M(?:øtegruppe|øteorgan)|S(?:ted|tad)'): the
    search tries a word only against the labels that start with its letter. The same pattern as
    '|'.join: alternatives of different first letters never match at one place (`ignorecase`:
    letters that differ in lower case never match one character), and each letter keeps its
    alternatives' order."""
    parts: list[str] = []
    run: dict[str, list[str]] = {}
    for alt in alternatives + [""]:
        if _letter_led(alt):
            run.setdefault(alt[0].lower() if ignorecase else alt[0], []).append(alt)
            continue
        parts += [f"{alts[0][0]}(?:{'|'.join(a[1:] for a in alts)})" for alts in run.values()]
        run = {}
        if alt:
            parts.append(alt)
    return "|".join(parts)


def occurs(alternatives: list[str]) -> str:
    """A pattern for whether any of `alternatives` occurs in a text (a search whose match is not
    used): by_first_letter behind a look at the first letters, where every alternative opens with
    a letter of its own (one test per character of the text instead of one per first letter)."""
    gathered = by_first_letter(alternatives)
    if not alternatives or not all(_letter_led(a) for a in alternatives):
        return gathered
    return f"(?=[{''.join(sorted({a[0] for a in alternatives}))}])(?:{gathered})"


def _letter_led(pattern: str) -> bool:
    """Does `pattern` open with a letter that stands alone (no quantifier after it) in a sequence
    (no '|' outside brackets), so that it is that letter followed by pattern[1:]?"""
    if not re.match(rf"[{LETTERS}](?![*+?{{])", pattern):
        return False
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 2 if pattern[i + 1:i + 2] == "]" else 3 if pattern[i + 1:i + 3] == "^]" else 1
            continue
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            return False
        i += 1
    return True


# a run of word characters, an optional ending and a space and a word after it: '[\wÆØÅæøå]+(?:ens|s) forslag'
_WORD_THEN = re.compile(r"\[\\w[^\]\\]*\]\+(?:\(\?:[a-zæøå|]+\))? ([a-zæøå]+)")


def word_led(pattern: Pattern[str]) -> Pattern[str]:
    """`pattern` behind '(?=\\w)' where every match of it starts with a word character (a letter, a
    digit or '_'), as the parser of the re module reads it: the search then passes over spaces
    and punctuation with one test instead of trying every branch there (the same matches). A
    pattern that may start otherwise is returned as it is."""
    return re.compile(rf"(?=\w)(?:{pattern.pattern})", pattern.flags) if _word_first(
        _sre.parse(pattern.pattern, pattern.flags)) else pattern


def _word_first(items: Any) -> bool:
    """Does this parsed sequence always consume a word character first? (Conservative: False
    where unsure.)"""
    opening = _opening(items, through_optional=True)
    return opening is not None and all(_word_item(op, av) for op, av in opening)


def _opening(items: Any, through_optional: bool) -> list[tuple[Any, Any]] | None:
    """The set members (LITERAL, RANGE, CATEGORY, NEGATE, as the parser of the re module writes
    them) that a match of this parsed sequence can open with, after zero-width tests; None where
    unsure (it may match nothing, or open with something else). An optional piece at the start:
    `through_optional`, its members and those of what follows it; else None."""
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
            continue  # zero width
        if op is _C.LITERAL:
            return [*out, (op, av)]
        if op is _C.IN:
            return [*out, *av]
        if op is _C.SUBPATTERN:
            sub = _opening(av[3], through_optional)
            return None if sub is None else [*out, *sub]
        if op is _C.BRANCH:
            alts = [_opening(alt, through_optional) for alt in av[1]]
            return None if any(a is None for a in alts) else [*out, *(m for a in alts if a for m in a)]
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            sub = _opening(av[2], through_optional)
            if sub is None or (av[0] < 1 and not through_optional):
                return None
            if av[0] >= 1:
                return [*out, *sub]
            out += sub
            continue  # an optional piece: what follows it opens a match too
        return None
    return None  # may match without consuming anything


def _word_item(op: Any, av: Any) -> bool:
    if op is _C.LITERAL:
        return _is_word(chr(av))
    if op is _C.RANGE:
        return av[1] - av[0] < 5000 and all(_is_word(chr(c)) for c in range(av[0], av[1] + 1))
    return op is _C.CATEGORY and av in (_C.CATEGORY_WORD, _C.CATEGORY_UNI_WORD, _C.CATEGORY_DIGIT,
                                       _C.CATEGORY_UNI_DIGIT)


def _is_word(ch: str) -> bool:
    """A word character, and so are all its case variants (what IGNORECASE may match for it)."""
    return all(re.fullmatch(r"\w", c) is not None for c in {ch, ch.lower(), ch.upper(), ch.casefold()})


def guard_words(pattern: str) -> str:
    """`pattern` with a look-ahead before each '[\\w…]+ word' in it ('[\\wÆØÅæøå]+(?:ens|s) forslag'): the
    whole word and the word after it are checked once, without giving the word back character by
    character ('(?=\\w++ forslag)'). Such a piece matches only where its guard does (its characters up
    to the space are all word characters), so the pattern finds the same matches; trying it at the
    start of every word was most of the time of the reflow's cue search."""
    return _WORD_THEN.sub(lambda m: rf"(?=\w++ {m.group(1)}){m.group(0)}", pattern)


@dataclass(frozen=True)
class Taxonomy:
    """data/taxonomy.toml: each table maps a name to the phrases that name it, in file order."""

    organisations: dict[str, list[str]]  # canonical name -> aliases
    topics: dict[str, list[str]]  # topic -> phrases
    outcomes: dict[str, list[str]]  # outcome class -> phrases of a decision


@cache
def taxonomy() -> Taxonomy:
    data = tomllib.loads(resources.files("pipeline").joinpath("data/taxonomy.toml").read_text("utf-8"))
    return Taxonomy(organisations=data["organisations"], topics=data["topics"], outcomes=data["outcomes"])
