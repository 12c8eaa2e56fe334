"""The vocabulary data file (data/vocab.toml), loaded and compiled once."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Pattern

FLAGS = re.IGNORECASE
LOOSE_LABEL_MIN = 6  # header labels this long may be followed by a plain space instead of ':'


def _alts(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _label_re(labels: list[str]) -> Pattern[str]:
    """A label at the start of a line, ending with ':' or a tab/space run, its value after it."""
    return re.compile(rf"^(?P<label>{_alts(labels)})\s*(?::|\t|\s{{2,}}|$)\s*(?P<value>.*)$", FLAGS)


@dataclass(frozen=True)
class Vocab:
    raw: dict
    case_families: tuple[Pattern[str], ...]  # numbered styles first, the plain list last
    numbered_families: int  # how many of case_families are numbered styles
    case_list_headers: tuple[Pattern[str], ...]
    type_word: Pattern[str]
    skip_line: Pattern[str]
    opening_items: tuple[Pattern[str], ...]
    closing_items: tuple[Pattern[str], ...]
    case_enders: tuple[Pattern[str], ...]
    decision_labels: tuple[tuple[Pattern[str], str], ...]
    outcomes: tuple[Pattern[str], ...]
    not_decisions: tuple[Pattern[str], ...]
    headings: tuple[tuple[Pattern[str], str], ...]
    cues: tuple[tuple[Pattern[str], str], ...]
    furniture_identity: Pattern[str]
    header_field: dict[str, str]
    header_label: Pattern[str]
    loose_header_label: Pattern[str]  # long labels followed by a plain space instead of ':'
    present_label: Pattern[str]
    absent_label: Pattern[str]
    attendee_label: Pattern[str]
    bodies: tuple[tuple[str, str], ...]
    organisations: tuple[Pattern[str], ...]
    not_name_words: frozenset[str]
    attendee_notes: tuple[Pattern[str], ...]
    table_columns: dict[str, str]  # attendee-table header word (casefolded) -> org | name | mark | deputy
    deputy_mark: Pattern[str]  # a mark cell saying the deputy came
    attachment_titled: tuple[Pattern[str], ...]
    attachment_list_head: tuple[Pattern[str], ...]
    attachment_count: tuple[Pattern[str], ...]


@cache
def load() -> Vocab:
    data = tomllib.loads(resources.files("pipeline").joinpath("data/vocab.toml").read_text("utf-8"))
    cn, cl, dec, docs, hdr, att = (data[k] for k in
                                   ("case_numbers", "case_list", "decisions", "documents", "header", "attendees"))
    numbered = tuple(re.compile(f.replace("{prefix}", cn["prefix"]), FLAGS) for f in cn["families"])
    return Vocab(
        raw=data,
        case_families=numbered + (re.compile(cn["plain_list"]),),
        numbered_families=len(numbered),
        case_list_headers=tuple(re.compile(p, FLAGS) for p in cl["headers"]),
        type_word=re.compile(rf"^(?:{_alts(cl['type_words'])})(?:\s*[/,]\s*(?:{_alts(cl['type_words'])}))*\s*$", FLAGS),
        skip_line=re.compile(rf"^(?:{_alts(cl['skip_lines'])})\s*$"),
        opening_items=tuple(re.compile(p, FLAGS) for p in cl["opening_items"]),
        closing_items=tuple(re.compile(p) for p in cl["closing_items"]),
        case_enders=tuple(re.compile(p) for p in cl["case_enders"]),
        decision_labels=tuple((re.compile(rf"^(?:{p})\s*(?::|$)", FLAGS), norm) for p, norm in dec["labels"]),
        outcomes=tuple(re.compile(p, FLAGS) for p in dec["outcomes"]),
        not_decisions=tuple(re.compile(p, FLAGS) for p in dec["not_decisions"]),
        headings=tuple((re.compile(p, FLAGS), t) for p, t in docs["headings"]),
        cues=tuple((re.compile(p, FLAGS), t) for p, t in docs["cues"]),
        furniture_identity=re.compile(docs["furniture_identity"], FLAGS),
        header_field={k.casefold(): v for k, v in hdr["fields"]},
        header_label=_label_re([k for k, _ in hdr["fields"]]),
        loose_header_label=re.compile(
            rf"^(?P<label>{_alts([re.escape(k) for k, _ in hdr['fields'] if len(k) >= LOOSE_LABEL_MIN])}) (?P<value>.*)$",
            FLAGS),
        present_label=_label_re(att["present"]),
        absent_label=_label_re(att["absent"]),
        attendee_label=_label_re(att["present"] + att["absent"]),
        bodies=tuple((n, a) for n, a in data["bodies"]["names"]),
        organisations=tuple(re.compile(p) for p in data["organisations"]["patterns"]),
        not_name_words=frozenset(w.casefold() for w in data["names"]["not_name_words"]),
        attendee_notes=tuple(re.compile(p, FLAGS) for p in att["notes"]),
        table_columns={w.casefold(): role for role in ("org", "name", "mark", "deputy") for w in att[f"table_{role}"]},
        deputy_mark=re.compile(rf"^\s*(?:{_alts(att['table_deputy_marks'])})\s*$", FLAGS),
        attachment_titled=tuple(re.compile(p) for p in data["attachments"]["titled"]),
        attachment_list_head=tuple(re.compile(p) for p in data["attachments"]["list_head"]),
        attachment_count=tuple(re.compile(p, FLAGS) for p in data["attachments"]["count"]),
    )
