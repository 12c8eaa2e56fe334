"""The two data files, each loaded once into a typed record: data/vocab.toml (the words and
patterns the parsers recognise, compiled) and data/taxonomy.toml (organisations, topics and
decision outcomes)."""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from re import Pattern
from typing import TypeVar

T = TypeVar("T")

FLAGS = re.IGNORECASE
LOOSE_LABEL_MIN = 6  # header labels this long may be followed by a plain space instead of ':'


def _alts(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _label_re(labels: list[str]) -> Pattern[str]:
    """A label at the start of a line, ending with ':' or a tab/space run, its value after it."""
    return re.compile(rf"^(?P<label>{_alts(labels)})\s*(?::|\t|\s{{2,}}|$)\s*(?P<value>.*)$", FLAGS)


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
        if self.union is not None:
            return self.union.search(text) is not None
        return any(p.search(text) for p in self)

    def first(self, text: str, search: bool = False) -> tuple[int, re.Match[str]] | None:
        """(index, match) of the first pattern matching at the start of `text` (`search`:
        occurring anywhere in it)."""
        if self.union is not None and (self.union.search(text) if search else self.union.match(text)) is None:
            return None
        for i, p in enumerate(self):
            m = p.search(text) if search else p.match(text)
            if m:
                return i, m
        return None


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
    skip_line: Pattern[str]
    opening_items: Patterns
    closing_items: Patterns
    case_enders: Patterns
    decision_labels: Labelled[str]
    outcomes: Patterns
    not_decisions: Patterns
    headings: Labelled[str]
    cues: Labelled[str]
    furniture_identity: Pattern[str]
    header_field: dict[str, str]
    header_label: Pattern[str]
    loose_header_label: Pattern[str]  # long labels followed by a plain space instead of ':'
    present_label: Pattern[str]
    absent_label: Pattern[str]
    attendee_label: Pattern[str]
    bodies: tuple[tuple[str, str], ...]
    organisations: Patterns
    not_name_words: frozenset[str]
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
    default_body: dict[str, str]  # doc type -> the body it belongs to when none is named
    heading_rows: tuple[str, ...]  # table rows that open a document whatever their length
    heading_meeting: Pattern[str]  # a heading that names a meeting in full
    preamble_labels: tuple[str, ...]  # header-block labels above a case paper's title
    dangling_words: frozenset[str]  # words a line cannot end on (it continues on the next)
    role_groups: frozenset[str]  # attendee labels that name a group (Sekretariat, Observatør, …)
    not_persons: tuple[str, ...]  # attendee-list entries that are no person
    minute_taker_units: tuple[str, ...]  # units that may take the minutes (Sekretariatet)


@cache
def load() -> Vocab:
    data = tomllib.loads(resources.files("pipeline").joinpath("data/vocab.toml").read_text("utf-8"))
    cn, cl, dec, docs, hdr, att = (data[k] for k in
                                   ("case_numbers", "case_list", "decisions", "documents", "header", "attendees"))
    numbered = tuple(re.compile(f.replace("{prefix}", cn["prefix"]), FLAGS) for f in cn["families"])
    return Vocab(
        case_families=Patterns(numbered + (re.compile(cn["plain_list"]),)),
        numbered_families=len(numbered),
        case_list_headers=Patterns(re.compile(p, FLAGS) for p in cl["headers"]),
        type_word=re.compile(rf"^(?:{_alts(cl['type_words'])})(?:\s*[/,]\s*(?:{_alts(cl['type_words'])}))*\s*$", FLAGS),
        skip_line=re.compile(rf"^(?:{_alts(cl['skip_lines'])})\s*$"),
        opening_items=Patterns(re.compile(p, FLAGS) for p in cl["opening_items"]),
        closing_items=Patterns(re.compile(p) for p in cl["closing_items"]),
        case_enders=Patterns(re.compile(p) for p in cl["case_enders"]),
        decision_labels=Labelled((re.compile(rf"^(?:{p})\s*(?::|$)", FLAGS), norm) for p, norm in dec["labels"]),
        outcomes=Patterns(re.compile(p, FLAGS) for p in dec["outcomes"]),
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
        absent_label=_label_re(att["absent"]),
        attendee_label=_label_re(att["present"] + att["absent"]),
        bodies=tuple((n, a) for n, a in data["bodies"]["names"]),
        organisations=Patterns(re.compile(p) for p in data["organisations"]["patterns"]),
        not_name_words=frozenset(w.casefold() for w in data["names"]["not_name_words"]),
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
        default_body=dict(docs["default_body"]),
        heading_rows=tuple(docs["heading_rows"]),
        heading_meeting=re.compile(docs["heading_meeting"], re.I),
        preamble_labels=tuple(docs["preamble_labels"]),
        dangling_words=frozenset(docs["dangling_words"]),
        role_groups=frozenset(att["role_groups"]),
        not_persons=tuple(att["not_persons"]),
        minute_taker_units=tuple(att["minute_taker_units"]),
    )


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
