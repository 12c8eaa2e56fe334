"""People in an attendance list that lost its separators: a table flattened into one run of words
("Styreleder Bjørn Kjensli X Nestleder Ing-Lill Pavall X Styremedlem Tarald Sivertsen Permisjon",
"Kirsten Brubakk Morten Falkenberg Anne Hagen Grimsrud Terje Keyn Andreas Kjær Forfall").

Words are sorted into name words, marks (X: present; Forfall, Permisjon, Ikke møtt: absent), roles,
codes (a party, list or unit written in capitals: 'AP', 'KrF', 'NOSV', 'ASH') and the rest (column
headers). A run of name words is cut into names where a known first name follows a name of two words
or more. A mark, role or code belongs to the name on its side: after it where the run's first one
follows the first name, before it where the run opens with one."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import vocab
from .recognisers import NAME_WORD

MIN_WORDS = 4  # a run of words shorter than this is left to the list reader
PROSE_SHARE = 0.25  # more words in lower case than this (roles and marks aside): a sentence, not a list
# a party, list or unit code: two to six letters, capitals but for lower-case letters inside ('KrF', 'FrP')
CODE = re.compile(r"[A-ZÆØÅ](?:[A-ZÆØÅ]|[a-zæøå](?=[A-ZÆØÅ])){1,5}")


@dataclass(frozen=True)
class Found:
    name: str
    status: str | None  # present | absent from a mark; None where no mark stands beside it
    title: str | None = None  # a role beside the name ('Styreleder Bjørn Kjensli X')
    org: str | None = None  # a code beside the name ('Per Lerøy AP Ordførar')


def read(text: str) -> list[Found]:
    tokens = _tokens(text)
    if len(tokens) < MIN_WORDS or not any(kind == "name" for kind, _ in tokens):
        return []
    lower = sum(1 for kind, word in tokens if kind == "other" and word[:1].islower())
    if lower > PROSE_SHARE * len(tokens):
        return []
    names: list[list[str]] = []
    marks: list[tuple[int, str]] = []  # (index of the name the mark stands after, status)
    roles: list[tuple[int, str]] = []  # (index of the name the role stands after, role)
    codes: list[tuple[int, str]] = []  # (index of the name the code stands after, code)
    run: list[str] = []
    for kind, word in tokens:
        if kind == "name":
            run.append(word)
            continue
        names.extend(_split_run(run, ended=kind != "other"))
        run = []
        if kind in ("present", "absent"):
            marks.append((len(names) - 1, kind))
        elif kind == "role":
            roles.append((len(names) - 1, word))
        elif kind == "code":
            codes.append((len(names) - 1, word))
    names.extend(_split_run(run, ended=True))
    status, title, org = _beside(marks, len(names)), _beside(roles, len(names)), _codes_beside(codes, len(names))
    return [Found(" ".join(n), status.get(k), title.get(k), org.get(k)) for k, n in enumerate(names) if len(n) >= 2]


def _beside(items: list[tuple[int, str]], n: int) -> dict[int, str]:
    """Which name each mark or role belongs to: the name before it, or after it where the run opens
    with one (a table whose marks or roles stand before the names)."""
    before = bool(items) and items[0][0] < 0
    out: dict[int, str] = {}
    for after, item in items:
        target = after + 1 if before else after
        if 0 <= target < n:
            out.setdefault(target, item)
    return out


def _codes_beside(codes: list[tuple[int, str]], n: int) -> dict[int, str]:
    """Which name each code belongs to: one code beside a name as a mark is (_beside); several codes
    together after names are a column of its own ('Karmhus Ida Krüger HF HF'), one code each to
    the names since the codes before, in order, when they are as many, else to none."""
    together: dict[int, list[str]] = {}
    for after, code in codes:
        together.setdefault(after, []).append(code)
    out = _beside([(after, got[0]) for after, got in together.items() if len(got) == 1], n)
    since = -1
    for after, got in together.items():
        if len(got) > 1 and after - since == len(got):
            out.update(zip(range(since + 1, after + 1), got))
        since = after
    return out


def _tokens(text: str) -> list[tuple[str, str]]:
    v = vocab.load()
    out: list[tuple[str, str]] = []
    words = text.split()
    k = 0
    while k < len(words):
        word = words[k].strip(",;")
        pair = f"{word} {words[k + 1]}" if k + 1 < len(words) else ""
        if v.absent_mark.match(pair):
            out.append(("absent", pair))
            k += 2
            continue
        if v.present_mark.match(word):
            out.append(("present", word))
        elif v.absent_mark.match(word):
            out.append(("absent", word))
        elif word.casefold().strip(".") in v.table_roles:
            out.append(("role", word))
        elif _name_word(word, v):
            out.append(("name", word))
        elif CODE.fullmatch(word) and word.casefold() not in v.table_words:
            out.append(("code", word))
        else:
            out.append(("other", word))
        k += 1
    return out


def _name_word(word: str, v: vocab.Vocab) -> bool:
    folded = word.casefold().strip(".")
    return bool(NAME_WORD.match(word)) and not (len(word) > 1 and word.isupper()) \
        and folded not in v.not_name_words and folded not in v.table_words and not v.not_name_ending.search(word)


def _split_run(run: list[str], ended: bool) -> list[list[str]]:
    """'Kirsten Brubakk Morten Falkenberg' -> [Kirsten Brubakk], [Morten Falkenberg]: a known first
    name opens a new name once the current one has two words or more. `ended`: the run ends at a
    mark, role or code, or at the end of the text (not at some other word: 'Olav Finnøy Dag 2;').
    Then a first name left alone at its end is a middle name written last ('Valentinsen Kjell
    Arne KRF': surname first), not a person: it stays with the name before it."""
    first_names = vocab.load().first_names
    out: list[list[str]] = []
    for word in run:
        if out and (len(out[-1]) < 2 or word not in first_names or out[-1][-1].endswith(".")):
            out[-1].append(word)
        else:
            out.append([word])
    if ended and len(out) > 1 and len(out[-1]) == 1:
        out[-2].extend(out.pop())
    return out
