"""Stage 3: pages -> logical documents. A bundle (notice + earlier minutes + case papers) is split
where a document heading or header block opens; neighbouring parts of one meeting are merged."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from .. import vocab
from ..models import Line, Page, Segment
from ..values import parse_date
from .recognisers import case_start, list_start, numbered_start, row_head, row_text, unspaced


def make(doc_type: str | None, lines: list[Line], furniture: list[str]) -> Segment:
    """A Segment of these lines, with where its case list begins (asked by several stages)."""
    return Segment(doc_type, lines, furniture, list_start(lines))


def heading_type(lines: Sequence[Line], i: int) -> str | None:
    """The doc_type a line opens, if it is a document heading (not a case title in a table)."""
    line = lines[i]
    if line.col not in (None, 0):
        return None
    text = line.text if line.row is None else row_text(lines, i)
    headings = vocab.load().headings
    if not headings.patterns.matches(text):
        return None
    for pattern, doc_type in headings:
        if pattern.match(text) and _heading_shape(text, line):
            return doc_type
    return None


def _heading_shape(text: str, line: Line) -> bool:
    v = vocab.load()
    words = text.split()
    if _starts_with(text, v.heading_rows) or len(words) == 1:
        return True
    # 'Referat fra møte i …', 'Referat Strategisk samarbeidsutvalg 07.03.25': a meeting named in full,
    # not an outcome about one ('Innkalling til møtet godkjennes.')
    return len(words) <= 14 and line.row is None and bool(v.heading_meeting.search(text)) \
        and not v.outcomes.matches(text)


def _starts_with(text: str, labels: tuple[str, ...]) -> bool:
    return _starts_re(tuple(labels)).match(text) is not None


@cache
def _starts_re(labels: tuple[str, ...]) -> re.Pattern[str]:
    """Any of `labels` at the start of a text, as a whole word (an alternation compiled once)."""
    if not labels:
        return re.compile(r"(?!)")
    return re.compile(rf"^(?:{'|'.join(re.escape(label) for label in labels)})(?!\w)", re.I)


SAK_NR = re.compile(r"^Sak\s*nr\.?\s*:", re.I)


def _header_line(text: str) -> bool:
    v = vocab.load()
    return bool(v.header_label.match(text) or _starts_with(text, v.preamble_labels)
                or case_start(text) and len(text.split()) <= 3)


def lines_to_cuts(lines: Sequence[Line]) -> list[tuple[int, str]]:
    cuts: list[tuple[int, str]] = []
    for i in range(len(lines)):
        doc_type = heading_type(lines, i)
        if doc_type is None:
            continue
        start = i
        while start > 0 and i - start < 3 and lines[start - 1].page == lines[i].page \
                and _header_line(row_text(lines, row_head(lines, start - 1))):
            start = row_head(lines, start - 1)
        if cuts and start <= cuts[-1][0]:
            continue
        cuts.append((start, doc_type))
    return cuts


def page_cuts(lines: Sequence[Line]) -> list[tuple[int, str]]:
    """Pages of a bundle that open a new document: a type word in the page's first short lines
    ('FLORA KOMMUNE' / 'Saksframlegg …'), or a case paper's header (a case officer and a case
    number among its first lines)."""
    v = vocab.load()
    cuts: list[tuple[int, str]] = []
    for i in range(1, len(lines)):
        if lines[i].page == lines[i - 1].page:
            continue
        found = _page_type(_page_opening(lines, i, v), v)
        if found:
            cuts.append((i, found))
    return cuts


HEADING_WORD_AT = 2  # the type word stands among a page heading's first words ('FLORA KOMMUNE Saksframlegg'),
# or anywhere on it in capitals ('Side 1 av 7 … STYRET MØTEPROTOKOLL')


def _page_opening(lines: Sequence[Line], i: int, v: vocab.Vocab) -> list[Line]:
    """The opening lines of the page lines[i] begins (as many as a case paper's header takes)."""
    return [ln for ln in lines[i:i + v.case_paper_lines] if ln.page == lines[i].page]


def _page_type(page: list[Line], v: vocab.Vocab) -> str | None:
    hit = v.headings.first(page[0].text) if page else None
    if hit:
        return hit[0]
    for line in page[:v.page_heading_lines]:
        if case_start(line.text):
            continue
        text = unspaced(line.text)
        found = v.title_words.first(text, search=True)
        if found is None or len(text.split()) > v.page_heading_words or text.rstrip().endswith("."):
            continue  # no type word, or a sentence: 'Protokoll fra forrige møte godkjennes.'
        doc_type, m = found
        if len(text[:m.start()].split()) <= HEADING_WORD_AT or m.group(0).isupper():  # 'MØTEPROTOKOLL'
            return doc_type
    officer = any(v.case_officer.match(ln.text) for ln in page)
    numbered = any(numbered_start(ln.text) or SAK_NR.match(ln.text) for ln in page)
    if officer and numbered:
        board = any(v.case_paper_board.search(ln.text) for ln in page)
        return "styresak" if board else "saksfremlegg"
    return None


def cuts_to_segments(lines: list[Line], cuts: list[tuple[int, str]], furniture: list[str]) -> list[Segment]:
    parts: list[tuple[int, str | None]] = list(cuts)
    if not parts or parts[0][0] > 0:
        parts = [(0, None), *parts]  # the lines before the first heading
    bounds = [c[0] for c in parts[1:]] + [len(lines)]
    return [make(t, lines[s:e], furniture) for (s, t), e in zip(parts, bounds) if lines[s:e]]


def _cases(seg: Segment) -> list[str]:
    """Case numbers after the segment's case-list header (none without one)."""
    begin = seg.case_list_start
    if not begin:
        return []
    out = []
    for line in seg.lines[begin:]:
        hit = numbered_start(line.text) if line.col in (None, 0) else None
        if hit:
            out.append(hit[1])
    return out


def _date(seg: Segment) -> str | None:
    for line in seg.lines[:25]:
        found = parse_date(line.text)
        if found and not re.match(r"^Sak\b", line.text, re.I):
            return found
    return None


def merge(segments: list[Segment]) -> list[Segment]:
    """Join a part into the one before it when both belong to the same meeting document."""
    single = vocab.load().single_case_types
    out: list[Segment] = []
    for seg in segments:
        if out and _same_document(out[-1], seg, single):
            prev = out.pop()
            seg = make(prev.doc_type or seg.doc_type, prev.lines + seg.lines, prev.furniture)
        out.append(seg)
    return out


def _same_document(a: Segment, b: Segment, single: frozenset[str]) -> bool:
    if b.page_cut:
        return False
    if a.doc_type is None:
        return True  # lines before the first heading (an attendee table, a logo line) belong to it
    if a.doc_type in single or b.doc_type in single:
        return False
    if a.doc_type and b.doc_type and a.doc_type != b.doc_type:
        return False
    a_cases, b_cases = _cases(a), _cases(b)
    if not a_cases:
        return True
    da, db = _date(a), _date(b)
    return not (set(a_cases) & set(b_cases)) and (da is None or db is None or da == db)


def run(pages: Sequence[Page]) -> list[Segment]:
    lines = [ln for p in pages for ln in p.lines]
    furniture = [f for p in pages for f in p.furniture]
    cuts = lines_to_cuts(lines)
    on_page = {lines[i].page for i, _ in cuts}
    extra = [c for c in page_cuts(lines) if lines[c[0]].page not in on_page]
    segments = cuts_to_segments(lines, sorted(cuts + extra), furniture)
    first = segments[0] if segments else None
    if first is not None and first.doc_type is None and len(segments) > 1 \
            and segments[1].lines[0].page > first.lines[0].page:
        # the first page names its type without a heading line ('Møteinnkalling - Kontrollutvalget …'
        # run into its header) and the next document starts on a later page: not its preamble
        first.doc_type = _page_type(_page_opening(first.lines, 0, vocab.load()), vocab.load())
    starts = {i for i, _ in extra}
    at = 0
    for seg in segments:
        seg.page_cut = at in starts
        at += len(seg.lines)
    return merge(segments)
