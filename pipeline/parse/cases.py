"""Cases of one document: numbers, titles, types, decisions and responsible persons.

lines_to_starts -> starts_to_spans -> span_to_case, each a pure function over Lines."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypedDict

from .. import vocab
from ..models import Case, DecisionLabel, Line
from . import votes
from .attachments import attachments
from .recognisers import (
    caps_head,
    case_start,
    ends_sentence,
    ends_with_initial,
    is_bullet,
    is_heading_like,
    is_name,
    is_url,
    join_wrapped,
    label_value,
    person,
    row_head,
    row_text,
    unique,
)

VED_NAME = re.compile(r"\b(?:ved|v/)\s+(?:[a-zæøå]+\s+){0,4}?"
                      r"(?P<name>[A-ZÆØÅ][\w.-]*(?:\s+[A-ZÆØÅ][\w.-]*){1,3})\s*[.:]?\s*$")
PRESENTER = re.compile(r"\b[Pp]resentasjon(?:\s+fra|\s+v/|\s+ved)?\s+"
                       r"(?P<words>(?:[A-ZÆØÅ][\wæøå.-]*\s+){1,4}[A-ZÆØÅ][\wæøå.-]*)")
SENTENCE = re.compile(r"(?<=[a-zæøå]{2}[.!?])\s+(?=[A-ZÆØÅ])|(?<=\d{4}\.)\s+(?=[A-ZÆØÅ][a-zæøå])")
CAPS_LABEL = re.compile(r"^((?:[A-ZÆØÅ]{2,}\s+){0,3}[A-ZÆØÅ]{2,})(?=\s|$)")
GROUP_ITEM = re.compile(r"^\w+sak(?:er|ar)\s*:?$", re.I)
HENSIKT = re.compile(r"^[A-ZÆØÅ][\wæøå ]{0,30}:\s*$")


@dataclass(frozen=True)
class Start:
    index: int
    number: str | None
    rest: str  # text after the number on the same line
    note: str | None = None  # how the start was inferred, for the file's warnings


def candidate(line: Line) -> bool:
    return line.col in (None, 0)


def choose_family(lines: Sequence[Line], begin: int, plain_allowed: bool) -> int | None:
    found: dict[int, int] = {}
    for line in lines[begin:]:
        if candidate(line):
            hit = case_start(line.text)
            if hit and not hit[2][:1].islower():  # not a sentence about a case ('Sak 30/09 ble satt opp …')
                found[hit[0]] = found.get(hit[0], 0) + 1
    for fam in sorted(found):
        # a plain list ('1. Title') needs two items, or one under a case-list header ('Saker:')
        if fam < vocab.load().numbered_families or (plain_allowed and found[fam] >= (1 if begin else 2)):
            return fam
    return None


def _order(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", number))


def lines_to_starts(lines: Sequence[Line], plain_allowed: bool, begin: int) -> list[Start]:
    v = vocab.load()
    family = choose_family(lines, begin, plain_allowed)
    starts: list[Start] = []
    last: tuple[int, ...] | None = None
    numbered = False  # a start with a number so far (once there is one, no unnumbered item is taken)
    for i in range(begin, len(lines)):
        line = lines[i]
        hit = case_start(line.text, family) if family is not None and candidate(line) else None
        if hit and hit[2][:1].islower():
            continue  # a sentence wrapped after 'sak': '… i sak' / '84/2021 behandlet i …'
        if hit and (last is None or _later(_order(hit[1]), last, family)
                    or _heading_out_of_order(hit, starts, line)):
            starts.append(Start(i, hit[1], hit[2]))
            numbered = numbered or bool(hit[1])
            last = _order(hit[1])
        elif _unnumbered_item(line, lines, i, starts, v, begin, numbered):
            starts.append(Start(i, None, line.text))
    starts = _strip_page_numbers(_pair_flattened(starts, lines, v))
    return _taken_up_again(lines, starts, family)


def _taken_up_again(lines: Sequence[Line], starts: list[Start], family: int | None) -> list[Start]:
    """Minutes that list their cases first and then take each up in turn ('SR 2017/43 Godkjenning …'
    in the list, 'SR 2017/43 Godkjenning … INNSTILLING … VEDTAK …' after it): where most listed
    cases (two or more, in the list's order) open again after it, each case starts there, with the
    list's title where the later line gives none."""
    numbered = [s for s in starts if s.number]
    if family is None or len(numbered) < 2:
        return starts
    listed = {s.number: s for s in numbered}
    again: dict[str, tuple[int, str]] = {}  # number -> (line, title there)
    for i in range(numbered[-1].index + 1, len(lines)):
        hit = case_start(lines[i].text, family) if candidate(lines[i]) else None
        if hit and hit[1] in listed and hit[1] not in again and not hit[2][:1].islower():
            again[hit[1]] = (i, hit[2])
    order = [again[s.number][0] for s in numbered if s.number in again]
    if len(again) < TAKEN_UP_MIN or order != sorted(order):
        return starts  # a case or two named again in the text, not the list taken up in turn
    out = [s for s in starts if s.number not in again]
    out += [Start(i, number, rest or listed[number].rest,
                  f"case {number}: read where the minutes take it up, after the case list")
            for number, (i, rest) in again.items()]
    return sorted(out, key=lambda s: s.index)


TAKEN_UP_MIN = 2


PAGE_REF = re.compile(r"\s+(\d{1,3})$")


HEADING_MAX_WORDS = 12


def _heading_out_of_order(hit: tuple[int, str, str], starts: list[Start], line: Line) -> bool:
    """A case taken up out of its order ('V12-06 - Mingle Vingle, status' after V12-22): a number of
    its own, at the start of a line of its own, with a title after it; a reference inside running
    text ('12/24 behandlet i …') has none of this."""
    caps = caps_head(hit[2])
    title = caps[0] if caps else hit[2]
    return bool(title) and title[:1].isupper() and len(title.split()) <= HEADING_MAX_WORDS \
        and not title.rstrip().endswith((".", ",")) and line.row is None \
        and hit[1] not in {s.number for s in starts}


def _strip_page_numbers(starts: list[Start]) -> list[Start]:
    """A case list printing each title's page at its end ('… (SSU) 3', '… 5'): when at least two
    titles, and most of them, end in a small number and those numbers never decrease, they are page
    numbers, not part of the titles."""
    titled = [k for k, s in enumerate(starts) if s.number and s.rest]
    found = ((k, PAGE_REF.search(starts[k].rest)) for k in titled)
    hits = {k: int(m.group(1)) for k, m in found if m and PAGE_REF.sub("", starts[k].rest).strip()}
    pages = list(hits.values())
    if len(hits) < 2 or len(hits) * 3 < len(titled) * 2 or any(b < a for a, b in zip(pages, pages[1:])):
        return starts
    return [replace(s, rest=PAGE_REF.sub("", s.rest)) if k in hits else s for k, s in enumerate(starts)]


def _pair_flattened(starts: list[Start], lines: Sequence[Line], v: vocab.Vocab) -> list[Start]:
    """A table flattened column by column: numbers alone on consecutive lines, then as many title
    lines in the same order. Each number moves to its title's line."""
    out: list[Start] = []
    k = 0
    while k < len(starts):
        j = k
        while j < len(starts) and starts[j].number and not starts[j].rest \
                and (j == k or starts[j].index == starts[j - 1].index + 1):
            j += 1
        n = j - k
        after = starts[j - 1].index + 1 if n else 0
        titles = list(lines[after:after + n])
        if n >= 2 and len(titles) == n and all(_title_like(ln, v) for ln in titles) \
                and not any(s.index < after + n and s.number for s in starts[j:]):
            out.extend(Start(after + m, s.number, titles[m].text,
                             f"case {s.number}: number paired with its title by order "
                             "(numbers listed apart from titles)")
                       for m, s in enumerate(starts[k:j]))
            k = j
            while k < len(starts) and starts[k].index < after + n:  # 'Eventuelt' among the titles
                k += 1
            continue
        out.append(starts[k])
        k += 1
    return out


def _title_like(line: Line, v: vocab.Vocab) -> bool:
    text = line.text.strip()
    return bool(text) and text[:1].isupper() and not case_start(text) and not _label_of(text) \
        and not v.type_word.match(text) and not text.endswith(".")


def _later(new: tuple[int, ...], last: tuple[int, ...], family: int | None) -> bool:
    if family == 0 or len(new) < 2 or len(last) < 2:
        return new > last
    # n/yy: the year is the second part
    return (new[1], new[0]) > (last[1], last[0])


def _unnumbered_item(line: Line, lines: Sequence[Line], i: int, starts: list[Start], v: vocab.Vocab,
                     begin: int, numbered: bool) -> bool:
    """`numbered`: any of `starts` has a number."""
    if line.col not in (None, 0, 1) or (begin == 0 and not starts):
        return False
    text = line.text.strip()
    if starts and v.closing_items.matches(text):
        return i - starts[-1].index > 1 or starts[-1].number is None
    if numbered or not v.opening_items.matches(text):
        return False
    # not the second line of the previous item's title, nor a sentence
    return not ((starts and i - starts[-1].index <= 1) or text.endswith("."))


def span_to_case(lines: Sequence[Line], start: Start, span: Sequence[Line], known_names: set[str],
                 decisions_unlabelled: bool, name_column: bool) -> Case:
    """One case from its first line (lines[start.index]) and the lines after it (`span`)."""
    v = vocab.load()
    body = [ln for ln in span if not v.skip_line.match(ln.text) and not is_url(ln.text)]
    body = _cut_enders(body, v)
    first = lines[start.index]
    meta, rest = _meta_row(start.rest, first, lines, start.index)
    if meta and first.row is not None:
        body = [b for b in body if b.row != first.row]  # the header row's other cells are meta data
    types, body = _take_type_words(body, first, v)
    if rest and v.type_word.match(rest):
        types.append(rest)
        rest = rest if GROUP_ITEM.match(rest) else ""  # 'Orienteringssaker': an item that names its kind
    rest = v.title_label.sub("", rest)  # 'Behandles : Orienteringer', 'Sakstittel: …'
    caps = caps_head(rest)
    if caps:  # 'EKSTERN GRANSKNING Tilbud fra tre selskaper …': the capitals are the title
        rest = caps[0]
        body = [Line(caps[1], first.page, first.bold, None, None, first.top)] + body
    rest, body = _whole_sentence(rest, body)
    rest, more = _first_sentence(rest)
    if more:
        body = [Line(more, first.page, first.bold, None, None, first.top)] + body
    title_lines, body = _take_title(rest, body, first, v)
    responsible, body = _take_responsible(body, known_names, name_column)
    responsible += _case_officers(body)
    label, decision = _decision(body, v, decisions_unlabelled)
    title = join_wrapped(title_lines).rstrip(" :") or None
    texts = [join_wrapped(title_lines)] + _list_items(body)
    people = meta.get("responsible", []) + responsible + _ved_names(texts) + _presenters(body, known_names)
    case_type = _case_type(types + [meta.get("type", "")])
    text = join_wrapped([ln.text for ln in body]) or None
    attached, n_attached = attachments(span)
    return Case(number=start.number, title=title, case_type=case_type, decision_label=label,
                decision=decision, responsible=unique(people), provenance={"page": first.page}, text=text,
                attachments=attached, attachment_count=n_attached, vote=votes.of(decision, text) if decision else None,
                decision_provenance=_decision_page(body, decision, first.page))


PROSE_TITLE_WORDS = 8  # a case line this long that goes on past its line is running text


def _whole_sentence(rest: str, body: list[Line]) -> tuple[str, list[Line]]:
    """A case line that is running text wrapped onto the next lines ('Sak 1. Vestfold legeforening
    lager nå vedtekter og …' / '… Telemark legeforening. Spesielt …'): the lines up to the end of its
    first sentence join it."""
    if len(rest.split()) < PROSE_TITLE_WORDS or ends_sentence(rest) or SENTENCE.search(rest):
        return rest, body
    taken = 0
    while taken < len(body) and body[taken].row is None and body[taken].text[:1].islower():
        rest = join_wrapped([rest, body[taken].text])
        taken += 1
        if SENTENCE.search(rest) or ends_sentence(rest):
            break
    return rest, body[taken:]


def _first_sentence(rest: str) -> tuple[str, str]:
    """A case line that goes on after its title ('1. Referat styremøte 29. mars 2023. Endelig utgave …
    Godkjent.'), or after its title and a colon ('Pkt. 1 Godkjenning av innkalling: Leder informerte
    om at …'): the first sentence, or what comes before the colon, is the title, the rest is the
    case's text."""
    told = TOLD_AFTER_COLON.match(rest)
    if told and len(told.group("text").split()) >= PROSE_TITLE_WORDS:
        return told.group("title"), told.group("text")
    parts = SENTENCE.split(rest, maxsplit=1)
    if len(parts) == 2 and len(parts[1].split()) >= 1 and ends_sentence(parts[0]):
        return parts[0], parts[1]
    return rest, ""


# a title, a colon, then a sentence telling what was done ('Godkjenning av protokoll: Det ble vist
# til …'); a title with a colon inside ('Høring: Ny lov om …') goes on without a sentence's end
TOLD_AFTER_COLON = re.compile(r"^(?P<title>[^:.]{3,}?)\s*:\s+(?P<text>[A-ZÆØÅ][^:]*?[a-zæøå0-9)][.!?](?:\s.*)?)$")


def _cut_enders(body: list[Line], v: vocab.Vocab) -> list[Line]:
    """Drop what follows a case's closing line (attachment list, the meeting's close), except
    names on lines of their own: a flattened responsible column can trail the case text."""
    for n, line in enumerate(body):
        if line.col in (None, 0) and v.case_enders.matches(line.text) and n > 0 \
                and _after_decision(body[:n]):
            return body[:n] + [ln for ln in body[n + 1:] if ln.col is None and is_name(ln.text)]
    return body


def _after_decision(before: list[Line]) -> bool:
    return any(_label_of(b.text) for b in before)


class Meta(TypedDict, total=False):
    """What a case list's meta-data row under its headers says of a case."""

    body: str
    type: str
    responsible: list[str]


def _meta_row(rest: str, first: Line, lines: Sequence[Line], index: int) -> tuple[Meta, str]:
    """'2024.13 SSU Beslutning Sekretariatet' under 'Saksnr: Møteorgan: Type sak Saksbehandler'."""
    prev = row_text(lines, index - 1) if index else ""
    if first.row is not None and index:
        j = index - 1
        while j > 0 and lines[j].row == lines[index - 1].row and lines[j - 1].row == lines[j].row:
            j -= 1
        prev = row_text(lines, j)
    if not re.search(r"Møteorgan", prev, re.I):
        return {}, rest
    cells = rest
    if first.row is not None:
        cells = " ".join(ln.text for ln in lines[index + 1:index + 8] if ln.row == first.row and ln.col)
    v = vocab.load()
    tokens = cells.split()
    meta: Meta = {}
    if tokens and any(tokens[0] == abbr for _, abbr in v.bodies if abbr):
        meta["body"] = tokens.pop(0)
    if tokens and v.type_word.match(tokens[0]) or (tokens and re.match(r"^[A-ZÆØÅ][a-zæøå]+/[a-zæøå]+$", tokens[0])):
        meta["type"] = tokens.pop(0)
    person = " ".join(tokens)
    meta["responsible"] = [person] if is_name(person) else []
    return meta, ""


def _take_type_words(body: list[Line], first: Line, v: vocab.Vocab) -> tuple[list[str], list[Line]]:
    types: list[str] = []
    rest: list[Line] = []
    for line in body:
        same_cell = first.row is not None and first.col == 0 and line.row == first.row and line.col == 0
        if same_cell or (not rest and v.type_word.match(line.text)):
            types.append(line.text)
            continue
        rest.append(line)
    return types, rest


def _take_title(rest: str, body: list[Line], first: Line, v: vocab.Vocab) -> tuple[list[str], list[Line]]:
    content = [ln for ln in body if not (first.row is not None and ln.row == first.row and ln.col and ln.col >= 2)]
    if rest:
        title = [rest]
        remaining = body
    else:
        while content and _preamble(content[0].text, v):
            wraps = _dangles(content[0].text, v)
            content = content[2:] if wraps else content[1:]
        if not content or _label_of(content[0].text) or is_name(content[0].text):
            return [], body
        title = [content[0].text]
        at = next(n for n, ln in enumerate(body) if ln is content[0])
        remaining = [ln for ln in body[:at] if ln not in content] + body[at + 1:]
        remaining = [ln for ln in remaining if not (ln in body[:at] and label_value(ln.text))]
        if content[0].bold:
            while remaining and remaining[0].bold and remaining[0].col == content[0].col \
                    and not _label_of(remaining[0].text) and not HENSIKT.match(remaining[0].text):
                title.append(remaining.pop(0).text)
            return title, remaining
    while remaining and _continues_title(title, remaining[0], v):
        title.append(remaining.pop(0).text)
    return title, remaining


def _continues_title(title: list[str], nxt: Line, v: vocab.Vocab) -> bool:
    text = nxt.text.strip()
    if not text or _label_of(text) or HENSIKT.match(text) or is_bullet(text) or is_name(text):
        return False
    last = title[-1].rstrip()
    if text[:1].islower() or last.endswith((":", ",")) or re.search(r"[a-zæøå]-$", last):
        return True
    first_word = title[0].split()[0].casefold()
    return len(title) == 1 and text.split()[0].casefold() == first_word and len(text.split()) <= 6


def _case_officers(body: list[Line]) -> list[str]:
    """'Saksansvarlig: Bente Holm, for tilsynet', 'Saksbehandler: Jon Li' within the case."""
    hits = (label_value(ln.text) for ln in body)
    found = (person(hit[1]) for hit in hits if hit and hit[0] == "case_officer")
    return [p for p in found if p]


def _take_responsible(body: list[Line], known: set[str], name_column: bool) -> tuple[list[str], list[Line]]:
    """Names in an Ansvar column (PDF), or, where the case list has one, lines holding only
    names, possibly wrapped (text)."""
    names: list[str] = []
    rest: list[Line] = []
    run: list[str] = []
    for line in body:
        text = line.text.strip()
        if line.col is not None and line.col >= 2:
            if _name_part(text, known):
                run.append(text)
            continue  # a sub-topic or header word standing in the name column is not case text
        if name_column and line.col is None and _name_part(text, known):
            run.append(text)
            continue
        names.extend(_join_name_lines(run, known))
        run = []
        rest.append(line)
    names.extend(_join_name_lines(run, known))
    return [x for x in names if x and (len(x.split()) > 1 or _known_part(x, known))], rest


def _known_part(word: str, known: set[str]) -> bool:
    """A lone word counts as a person only as the first or last name of someone in the document."""
    w = word.strip(" ,-").casefold()
    return any(w in (n.split()[0].casefold(), n.split()[-1].casefold()) for n in known if n.split())


def _name_part(text: str, known: set[str]) -> bool:
    t = text.strip(" ,")
    return is_name(t) or t in known or _is_fragment(text) or \
        all(is_name(p.strip()) for p in re.split(r",|\s+og\s+", t) if p.strip()) and "," in t


def _is_fragment(text: str) -> bool:
    """One capitalised word ('Kari', 'Wang-'), possibly with a comma: part of a wrapped name."""
    t = text.strip()
    return bool(re.match(r"^[A-ZÆØÅ][a-zæøå]+(?:-[A-ZÆØÅ][a-zæøå]+)*-?,?$", t)) and \
        t.strip(" ,-").casefold() not in vocab.load().not_name_words


def _join_name_lines(lines: list[str], known: set[str]) -> list[str]:
    """Lines of a name column -> names: 'Marthe Wang-' + 'Hansen', 'Kari' + 'Marthinsen',
    'Janne K. Aase' + 'Hansen'; a known name is taken whole first."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        cur = lines[i].strip()
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        pair = join_wrapped([cur, nxt]).strip(" ,") if nxt else ""
        single = len(cur.split()) == 1 and not cur.endswith(",")
        if nxt and (pair in known or cur.endswith("-") or single and len(nxt.split()) == 1
                    and not _pair_known(lines, i + 1, known)):
            out.append(pair)
            i += 2
            continue
        if single and out and not lines[i - 1].strip().endswith(",") and len(out[-1].split()) >= 2 \
                and cur.strip(" ,") not in known and i > 0:
            out[-1] = f"{out[-1]} {cur}".strip(" ,")
        else:
            out.extend(x.strip() for x in re.split(r",|\s+og\s+", cur) if x.strip())
        i += 1
    return out


def _pair_known(lines: list[str], i: int, known: set[str]) -> bool:
    return i + 1 < len(lines) and join_wrapped([lines[i], lines[i + 1]]).strip(" ,") in known


@vocab.text_cache
def _label_of(text: str) -> tuple[str, str] | None:
    """(normalised label, text after it) when a line opens with a decision label."""
    v = vocab.load()
    t = text.strip()
    if v.not_decisions.matches(t):
        return None
    hit = v.decision_labels.first(t)
    if hit:
        return hit[0], t[hit[1].end():].strip()
    caps = CAPS_LABEL.match(t)  # 'SAMRØYSTES VEDTAK 1. godkjenner …': a label in capitals needs no colon
    hit = v.decision_labels.first(caps.group(1).strip()) if caps else None
    return (hit[0], t[caps.end():].strip()) if hit and caps else None


def _decision(body: list[Line], v: vocab.Vocab, unlabelled: bool) -> tuple[str | None, str | None]:
    label: str | None = None
    blocks: list[str] = []
    labelled: list[tuple[str, str]] = []
    pitch = line_pitch(body)
    n = 0
    while n < len(body):
        hit = _label_of(body[n].text)
        if not hit:
            n += 1
            continue
        label = label or hit[0]
        parts = [hit[1]] if hit[1] else []
        n += 1
        while n < len(body) and _continues_decision(parts, body[n], v) \
                and not _paragraph_break(body[n - 1], body[n], parts, pitch):
            parts.append(body[n].text)
            n += 1
        if parts:
            blocks.append(join_wrapped(parts))
            labelled.append((hit[0], blocks[-1]))
    adopted = [text for name, text in labelled if name == DecisionLabel.VEDTAK]
    if unlabelled and adopted and len(adopted) < len(labelled):  # minutes: a proposal, then what the meeting decided
        return DecisionLabel.VEDTAK, " ".join(adopted)
    if blocks:
        return label, " ".join(blocks)
    if unlabelled:
        for k, line in enumerate(body):
            text = line.text.strip()
            if v.outcomes.matches(text) and len(text.split()) <= OUTCOME_WORDS:
                return None, _outcome(body, k, v)
    return (label, None) if label else (None, None)


OUTCOME_WORDS = 40
PROBE = 24  # characters of a decision that find its line


def _decision_page(body: list[Line], decision: str | None, case_page: int) -> dict[str, int] | None:
    """{"page": n} where the decision's text begins, when that is not the page the case starts on
    (a Vedtak at the top of the next page)."""
    probe = (decision or "")[:PROBE].strip()
    page = next((ln.page for ln in body if probe and probe in ln.text), None)
    if page is None:
        page = next((ln.page for ln in body if len(ln.text.strip()) >= PROBE // 2
                     and ln.text.strip()[:PROBE] in (decision or "")), None)
    return {"page": page} if page is not None and page != case_page else None
FORMULA_WORDS = 3  # 'Godkjent.', 'Enstemmig vedtatt.': the outcome of the text just before it


def _outcome(body: list[Line], k: int, v: vocab.Vocab) -> str:
    """An outcome recorded without a label: a bare formula ('Enstemmig vedtatt.') with the paragraph
    it adopts (the line before it, unless that line tells what happened in the meeting: 'Saken ble
    drøftet.'); an outcome ending in ':' ('… godkjennes med følgende merknad:')
    with what follows it in the case."""
    text = body[k].text.strip()
    parts = [text]
    if len(text.split()) <= FORMULA_WORDS and k > 0:
        start = _paragraph_start(body, k - 1)
        prev = join_wrapped([ln.text for ln in body[start:k]])
        if not _label_of(prev) and not is_heading_like(prev) and not v.outcomes.matches(prev) \
                and not v.narrative.search(prev):
            parts.insert(0, prev)
    elif ":" in text:
        parts += [ln.text for ln in body[k + 1:]]
    return join_wrapped(parts)


def _paragraph_start(body: list[Line], k: int) -> int:
    """The first line of the paragraph that body[k] ends: lines the usual pitch apart on one page
    (a PDF's wrapped paragraph); a text file's line is a paragraph of its own."""
    pitch = line_pitch(body)
    start = k
    while start > 0 and pitch and pitch > 1 and k - start < PARAGRAPH_LINES:
        line, prev = body[start], body[start - 1]
        if line.page != prev.page or line.top is None or prev.top is None or not 0 < line.top - prev.top <= 1.3 * pitch:
            break
        start -= 1
    return start


PARAGRAPH_LINES = 8


def line_pitch(lines: Sequence[Line]) -> float | None:
    """The usual distance between consecutive lines of one column (points in a PDF, source lines in text)."""
    gaps = sorted(b.top - a.top for a, b in zip(lines, lines[1:])
                  if a.top is not None and b.top is not None and a.page == b.page and a.col == b.col and b.top > a.top)
    return gaps[len(gaps) // 2] if gaps else None


def _paragraph_break(prev: Line, line: Line, parts: list[str], pitch: float | None) -> bool:
    """A blank line's worth of space after a finished sentence ends the decision."""
    if pitch is None or prev.top is None or line.top is None or not parts or not ends_sentence(parts[-1]):
        return False
    return line.page == prev.page and line.top - prev.top > 1.8 * pitch


def _continues_decision(parts: list[str], line: Line, v: vocab.Vocab) -> bool:
    text = line.text.strip()
    if not parts:
        return not _label_of(text) and line.col in (None, 1)
    if _label_of(text) or line.col == 0 or (line.col or 0) >= 2 or v.case_enders.matches(text):
        return False
    if label_value(text) or (is_heading_like(text) and v.headings.patterns.matches(text)):
        return False
    if is_bullet(text) or text[:1].islower() or text[:1].isdigit():
        return True
    last = parts[-1].rstrip()
    if last.endswith(":") or (not ends_sentence(last) and not is_bullet(last)):
        return not (line.bold and is_heading_like(text)) and not is_name(text)
    if line.bold or is_name(text) or HENSIKT.match(text):
        return False
    return not is_heading_like(text)


NUMBERED_ITEM = re.compile(r"^\d{1,2}[.)]\s")


def _list_items(body: list[Line]) -> list[str]:
    """Numbered sub-items of a case ('1. Status … ved Tone Ikdahl'), each with its wrapped lines."""
    items: list[list[str]] = []
    for line in body:
        text = line.text.strip()
        if NUMBERED_ITEM.match(text):
            items.append([text])
        elif items and items[-1] and not is_bullet(text) and not text.endswith(":") and len(items[-1]) < 4 and \
                not ends_sentence(items[-1][-1]) and _wraps_onto(items[-1][-1], text):
            items[-1].append(text)
        elif items:
            items.append([])
    return [join_wrapped(i) for i in items if i]


def _presenters(body: list[Line], known: set[str]) -> list[str]:
    """'Presentasjon Kirsten Sæther Sunnaas sykehus': the longest run of capitalised words after
    'Presentasjon' that names a person of the document; an unknown run only when it is a name."""
    out = []
    for line in body:
        if "resentasjon" not in line.text:
            continue  # what PRESENTER needs (case as written): most lines are passed over with a substring test
        for m in PRESENTER.finditer(line.text):
            words = m.group("words").split()
            hit = next((" ".join(words[:k]) for k in range(len(words), 1, -1) if " ".join(words[:k]) in known), None)
            if hit is None and len(words) <= 3 and is_name(" ".join(words)) and m.end() < len(line.text):
                hit = " ".join(words)
            if hit:
                out.append(hit)
    return out


def _wraps_onto(prev: str, text: str) -> bool:
    """`text` continues `prev`: it starts in lower case, or `prev` stops mid-name or mid-phrase."""
    return text[:1].islower() or ends_with_initial(prev) or prev.rstrip().endswith("-") \
        or _dangles(prev, vocab.load()) or _is_fragment(text) or is_name(text)


def _ved_names(texts: list[str]) -> list[str]:
    out = []
    for t in texts:
        m = VED_NAME.search(join_wrapped([t]))
        if m:
            out.append(m.group("name"))
    return out


def _preamble(text: str, v: vocab.Vocab) -> bool:
    """A header-block line above a case paper's title ('Notat fra: …', 'Dato: …')."""
    return bool(label_value(text)) and any(
        re.match(rf"^{re.escape(p)}\b", text, re.I) for p in v.preamble_labels)


def _dangles(text: str, v: vocab.Vocab) -> bool:
    """A line that stops mid-thought ('… Sykehuset i', '… klinikk,') and continues on the next."""
    t = text.rstrip()
    words = t.split()
    return t.endswith((",", "-", "–")) or bool(words) and words[-1] in v.dangling_words


def _case_type(words: list[str]) -> str | None:
    for w in words:
        for stem, kind in vocab.load().case_types.items():
            if w.casefold().startswith(stem):
                return kind
    return None




def run(lines: Sequence[Line], known_names: set[str], plain_allowed: bool,
        decisions_unlabelled: bool, begin: int, zone: int = 0) -> tuple[list[Case], list[str]]:
    """The document's cases, and notes on what was inferred rather than read; `begin`: the first
    line after the case-list header (list_start), 0 without one; `zone`: where the header ends."""
    starts = lines_to_starts(lines, plain_allowed, begin)
    if not starts and decisions_unlabelled:
        starts = heading_starts(lines, begin)
    spans = _spans(lines, starts)
    header = vocab.load().responsible_header
    name_column = bool(begin) and bool(header.search(row_text(lines, row_head(lines, begin - 1))))
    cases = [span_to_case(lines, s, span, known_names, decisions_unlabelled, name_column)
             for s, span in zip(starts, spans)]
    return cases, [s.note for s in starts if s.note]


def heading_starts(lines: Sequence[Line], zone: int) -> list[Start]:
    # `zone`: the first line that may hold a case (after a case-list header), 0 without one
    """Minutes with no case numbers, each item a short heading over its paragraph ('Vannlekkasje' /
    'Huseierlaget har dekket …'): a heading-like line after a gap, followed closely by text. A heading
    over another heading ('Oppfølging av saker fra årsmøte' / 'El-bil lader') is a section, not a case."""
    v = vocab.load()
    pitch = line_pitch(lines) or 1.0
    labelled = [k for k, ln in enumerate(lines[:HEADER_LINES])
                if label_value(ln.text) or v.attendee_label.match(ln.text)]
    out: list[Start] = []
    for i in range(max(zone, labelled[-1] + 1 if labelled else 1), len(lines) - 1):
        line, prev, nxt = lines[i], lines[i - 1], lines[i + 1]
        text = line.text.strip()
        if line.row is not None or not (is_heading_like(text) or v.closing_items.matches(text)) \
                or label_value(text) or _label_of(text) or v.attendee_label.match(text) \
                or v.headings.patterns.matches(text) or v.case_list_headers.matches(text):
            continue
        after_gap = prev.page != line.page or _gap(prev, line) > GAP * pitch
        close_text = nxt.page == line.page and _gap(line, nxt) <= GAP * pitch and not is_heading_like(nxt.text.strip())
        if after_gap and close_text:
            out.append(Start(i, None, text, f"'{text}': an unnumbered item read from its heading"))
    return out


HEADER_LINES = 40  # the header block (labels, attendance lists) ends within these lines
GAP = 1.5  # line pitches: more than this between two lines is a paragraph break


def _gap(a: Line, b: Line) -> float:
    return b.top - a.top if a.top is not None and b.top is not None else 0.0


def _spans(lines: Sequence[Line], starts: list[Start]) -> list[list[Line]]:
    """The lines after each start up to the next. Where two cases share one table row (an item
    without its own row), a name-column cell belongs to the case level with or above it."""
    ends = [s.index for s in starts[1:]] + [len(lines)]
    spans = [list(lines[s.index + 1:e]) for s, e in zip(starts, ends)]
    for k in range(1, len(starts)):
        head, prev = lines[starts[k].index], lines[starts[k - 1].index]
        if head.row is None or head.row != prev.row or head.top is None:
            continue
        early = [ln for ln in spans[k] if ln.row == head.row and (ln.col or 0) >= 2
                 and ln.top is not None and ln.top < head.top - 1]
        spans[k] = [ln for ln in spans[k] if not any(ln is e for e in early)]
        spans[k - 1].extend(early)
    return spans
