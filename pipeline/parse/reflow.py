"""Lines recovered from flattened text: a transcript or text export that ran a page's labels, case
headings and decisions together into one run of text ("… Tilstede: A, B og C Forfall: D SAK 29/14
GODKJENNING AV …") is split where those cues stand, so the same grammar reads it as it reads a
laid-out page. Well-laid-out text is left as it is: a block is split only where it holds cues in the
middle of its lines. The cues are vocabulary (vocab.toml [reflow])."""
from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import replace

from .. import vocab
from ..models import Line, Page
from .recognisers import caps_head

LONG = 150  # characters: a line this long that holds a cue is a flattened page, not a paragraph
MARKER_SKIP = 3  # page markers of empty pages are lost as page numbers: '2 …', '5 …' follow on
CASE_LIKE = re.compile(r"\d/\d|\d-\d|\d\.\d")  # what a case number holds
PAGE_MARKER = re.compile(r"^(?P<n>\d{1,3})\s+(?=\S)")
SENTENCE = re.compile(r"(?<=[a-zæøå0-9)»][a-zæøå)»]\.)\s+(?=[A-ZÆØÅ«])|(?<=[a-zæøå]{2}[!?])\s+(?=[A-ZÆØÅ])")


def run(pages: Sequence[Page], wrapped: bool) -> list[Page]:
    """`wrapped`: a PDF, whose lines wrap a paragraph (blocks are runs of plain lines); in a text
    file each source line is its own block."""
    pages = [_strip_marker(p) for p in pages] if wrapped else _page_markers(pages)
    return [replace(p, lines=tuple(_reflow(p.lines, wrapped))) for p in pages]


def _strip_marker(page: Page) -> Page:
    """A PDF page whose first line opens with its own number ('3 Styresak nr: 72/01 …', a transcript
    set as a PDF) loses the number there."""
    if not page.lines:
        return page
    first = page.lines[0]
    m = PAGE_MARKER.match(first.text)
    if not m or int(m.group("n")) != page.number or first.row is not None or not first.text[m.end():][:1].isupper():
        return page
    return replace(page, lines=(replace(first, text=first.text[m.end():]),) + page.lines[1:],
                   furniture=page.furniture + (m.group("n"),))


def _page_markers(pages: Sequence[Page]) -> list[Page]:
    """A transcript that numbers its pages with a bare number opening a paragraph ('1 Til
    medlemmene …', '2 Saksliste …', counting up from 1) is cut into those pages."""
    out: list[Page] = []
    for page in pages:
        cuts: list[int] = []
        expect = 1
        for k, line in enumerate(page.lines):
            m = PAGE_MARKER.match(line.text)
            n = int(m.group("n")) if m else None
            if line.row is None and n is not None and expect <= n <= expect + MARKER_SKIP and (cuts or n == 1):
                cuts.append(k)
                expect = n + 1
        if len(cuts) < 2 or cuts[0] != 0:
            out.append(page)
            continue
        bounds = cuts + [len(page.lines)]
        for n, (a, b) in enumerate(zip(bounds, bounds[1:])):
            marked = page.lines[a]  # every cut is at a line that opens with its page number
            lines = [replace(marked, text=PAGE_MARKER.sub("", marked.text, count=1)), *page.lines[a + 1:b]]
            kept = tuple(replace(ln, page=len(out) + 1) for ln in lines if ln.text.strip())
            out.append(Page(len(out) + 1, kept, page.furniture + (str(n + 1),)))
    return out


def _blocks(lines: Sequence[Line], wrapped: bool) -> list[list[Line]]:
    """Runs of plain lines that make one paragraph (PDF: the usual line pitch apart)."""
    out: list[list[Line]] = []
    pitch = _pitch(lines) if wrapped else None
    for line in lines:
        prev = out[-1][-1] if out else None
        joins = wrapped and prev is not None and prev.row is None and line.row is None \
            and prev.page == line.page and prev.top is not None and line.top is not None and pitch \
            and 0 < line.top - prev.top <= 1.4 * pitch
        if joins:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def _pitch(lines: Sequence[Line]) -> float | None:
    gaps = sorted(b.top - a.top for a, b in zip(lines, lines[1:])
                  if a.top is not None and b.top is not None and a.page == b.page and b.top > a.top)
    return gaps[len(gaps) // 2] if gaps else None


def _reflow(lines: Sequence[Line], wrapped: bool) -> list[Line]:
    out: list[Line] = []
    for block in _blocks(lines, wrapped):
        if block[0].row is not None:
            out.extend(block)
            continue
        out.extend(_split_block(block))
    return out


def _split_block(block: list[Line]) -> list[Line]:
    v = vocab.load()
    cue, bare, strong = v.reflow_cue, v.bare_case_number, v.strong_label
    text = " ".join(ln.text.strip() for ln in block)
    if len(text) <= LONG and text.count(":") + len(CASE_LIKE.findall(text)) < 2 \
            and not (":" in text and strong.search(text)):
        return block  # too short to be a page run together, and fewer than two labels or numbers to split at
    if ":" not in text and not CASE_LIKE.search(text) and not v.reflow_hint.search(text):
        return block  # prose: no label, number or cue phrase anywhere in it
    line_starts = set(itertools.accumulate((len(ln.text.strip()) + 1 for ln in block[:-1]), initial=0))
    if ":" not in text:
        cue = v.reflow_cue_without_colon  # the cues that end in ':' cannot occur: not tried at every word
    spans = [m.span() for m in cue.finditer(text) if not _inside_sentence(text, m.start())]
    # cues inside lines (a wrap may fall between their words), not a label closing a line ('Fra ViG:')
    mid = [a for a, b in spans if a not in line_starts and b + 1 not in line_starts and b < len(text)]
    numbers = {p for p in _bare_numbers(text, bare) if not any(a <= p < b for a, b in spans)}
    long_line = any(len(ln.text) > LONG for ln in block)  # a text file's line: a paragraph or a page
    long_block = len(block) > 1 and len(text) > LONG and bool(mid)  # a PDF's wrapped paragraph with a cue inside
    flattened = len(mid) + len(numbers) >= 2 or (long_line or long_block) and bool(spans)
    if flattened:
        points = {a for a, _ in spans} | numbers
    elif len(block) > 1:  # a laid-out paragraph: its lines one by one, for a strong label inside one
        return [piece for ln in block for piece in _split_block([ln])]
    else:
        text = block[0].text
        points = {m.start() for m in strong.finditer(text) if m.start() > 0}
        if not points:
            return block
    pieces = _cut(text, sorted(points - {0}))
    if flattened:
        pieces = _pair_numbers(pieces)
        pieces = [s for piece in pieces for s in _split_piece(piece)]
    first = block[0]
    return [Line(p, first.page, first.bold, None, None, first.top) for p in pieces if p]


def _inside_sentence(text: str, at: int) -> bool:
    """A cue inside brackets or right after a preposition ('(forlot møtet etter sak 34/09)') is
    part of a sentence, not a new line."""
    before = text[:at]
    words = before.split()
    dangling = vocab.load().dangling_words
    return before.count("(") > before.count(")") or bool(words) and words[-1].casefold() in dangling


def _cut(text: str, points: list[int]) -> list[str]:
    bounds = [0] + points + [len(text)]
    return [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]


def _bare_numbers(text: str, bare: re.Pattern[str]) -> set[int]:
    """Positions of case numbers written without a prefix ('33/09 Title'): only a run of two or more
    counting up in one series (33/09, 34/09, 35/09), so a date or a reference is not taken."""
    hits = [(m.start("num"), int(m.group("n")), m.group("series")) for m in bare.finditer(text)]
    out: set[int] = set()
    for k, (pos, n, series) in enumerate(hits):
        neighbours = [h for h in hits[max(0, k - 1):k + 2]
                      if h is not hits[k] and h[2] == series and abs(h[1] - n) == 1]
        if neighbours:
            out.add(pos)
    return out


TITLE_MIN_REST = 3  # words after a title run for it to be cut there


def _number_only(piece: str) -> str | None:
    """The case number of a piece that is only a case number ('Sak 2014/15'), else None."""
    hit = vocab.load().case_families.first(piece)
    if hit and hit[0] < vocab.load().numbered_families and not piece[hit[1].end():].strip(" :.\t–-"):
        return piece
    return None


def _pair_numbers(pieces: list[str]) -> list[str]:
    """A case list flattened column by column: the numbers first ('Sak 2014/15 Sak 2014/16 …'), then
    the titles run together after the last one. The titles are cut where a new title most likely
    starts (title_cuts) and each number gets its title, in order."""
    out: list[str] = []
    k = 0
    while k < len(pieces):
        j = k
        while j < len(pieces) and _number_only(pieces[j]):
            j += 1
        if j - k < 1 or j >= len(pieces):
            out.extend(pieces[k:j + 1])
            k = j + 1
            continue
        numbers = pieces[k:j]
        hit = vocab.load().case_families.first(pieces[j])
        if not hit or hit[0] >= vocab.load().numbered_families:
            out.extend(pieces[k:j + 1])
            k = j + 1
            continue
        numbers.append(pieces[j][:hit[1].end()])
        run, end = _title_text(pieces, j, hit[1].end())
        titles = title_cuts(run, len(numbers))
        if titles is None:
            out.extend(pieces[k:j + 1])
            k = j + 1
            continue
        out.extend(f"{n} {t}" for n, t in zip(numbers, titles))
        k = end
    return out


def _title_text(pieces: list[str], j: int, at: int) -> tuple[str, int]:
    """The text after the last number up to the next case number, closing formula or signature
    (a name with a title: 'Alf Daniel Moen Styreleder'), and the index of the piece after it."""
    parts = [pieces[j][at:]]
    end = j + 1
    while end < len(pieces) and not vocab.load().case_families.first(pieces[end]) \
            and not vocab.load().reflow_closing.match(pieces[end]):
        parts.append(pieces[end])
        end += 1
    text = " ".join(p.strip() for p in parts)
    m = SIGNATURE.search(text)
    if m:
        rest = text[m.start():]
        text = text[:m.start()]
        if rest.strip():
            pieces.insert(end, rest.strip())
    return re.sub(r"[^\w.)»]+$", "", text.strip()), end


SIGNATURE = re.compile(r"\s(?:[A-ZÆØÅ][a-zæøå]+\s+){1,2}[A-ZÆØÅ][a-zæøå]+\s+"
                       r"(?:Leiar|Leder|Styreleder|Styreleiar|Adm\.|Administrerende|Rådgiver|Rådgjevar|Direktør)\b")
TITLE_ITEMS = re.compile(r"^(?:Orienteringssak(?:er|ar)|Referatsak(?:er|ar)|Eventuelt|Diverse|Godkjenning)\b", re.I)


def title_cuts(text: str, n: int) -> list[str] | None:
    """`text` cut into `n` titles at the n-1 likeliest places: after a finished sentence, around a
    standing agenda item (Orienteringssaker, Referatsaker, Eventuelt), where a capitalised word
    follows a lower-case word, number or abbreviation; never after a word that dangles, inside
    brackets, or in the name after 'v/'. None when there are fewer such places than needed."""
    words = text.split()
    dangling = vocab.load().dangling_words
    scored: list[tuple[int, int]] = []
    depth = 0
    since_ved = 99
    for i, word in enumerate(words):
        prev = words[i - 1] if i else ""
        since_ved = 0 if prev.lower().startswith("v/") else since_ved + 1
        if i and re.match(r"^[A-ZÆØÅ][a-zæøåA-ZÆØÅ]", word) and depth == 0 and since_ved > 2 \
                and prev.lower() not in dangling:
            score = 1
            if prev.endswith((".", ":")) and not re.match(r"^(?:nr|kl|ca|jf|dvs)\.$", prev, re.I):
                score = 4
            elif not prev[:1].isupper() or re.match(r"^[A-ZÆØÅ]{2,4}$", prev):
                score = 2
            if TITLE_ITEMS.match(word):
                score += 3
            if TITLE_ITEMS.match(prev):
                score += 2
            scored.append((score, i))
        depth += word.count("(") - word.count(")")
    if len(scored) < n - 1:
        return None
    cuts = sorted(i for _, i in sorted(scored, key=lambda c: (-c[0], c[1]))[:n - 1])
    bounds = [0] + cuts + [len(words)]
    titles = [" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:])]
    return [re.sub(r":.*$", "", t) if TITLE_ITEMS.match(t) else t for t in titles]


def _title_run(text: str) -> tuple[str, str]:
    """A title run together with the text after it ('Godkjenning av protokoll Protokoll fra forrige
    styremøte er …'): the title ends where a capitalised word follows a word in lower case that
    does not dangle ('i Møre og Romsdal' stays)."""
    words = text.split()
    dangling = vocab.load().dangling_words
    for i in range(2, len(words) - TITLE_MIN_REST + 1):
        prev, word = words[i - 1], words[i]
        if re.match(r"^[A-ZÆØÅ][a-zæøå]", word) and re.match(r"^[a-zæøå0-9]", prev) and not prev.endswith((":", ",")) \
                and prev not in dangling:
            return " ".join(words[:i]), " ".join(words[i:])
    return text, ""


def _split_piece(piece: str) -> list[str]:
    """A fragment of flattened text: a capitals title after a case number is its own line, and so
    is each sentence."""
    hit = vocab.load().case_families.first(piece)
    head: list[str] = []
    if hit and hit[0] < vocab.load().numbered_families:
        rest = piece[hit[1].end():].lstrip(" :.\t–-")
        caps = caps_head(rest)
        if caps:
            head = [piece[:hit[1].end()] + " " + caps[0]]
            piece = caps[1]
        else:
            title, after = _title_run(rest)
            if after:
                head = [piece[:hit[1].end()] + " " + title]
                piece = after
    return head + [s.strip() for s in SENTENCE.split(piece) if s.strip()]
