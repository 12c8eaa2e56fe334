"""Stage 2: SourceFile -> pages of lines. PDFs through pypdfium2 (text runs, ruling lines);
text and markdown files split into pages at form feeds. Running headers, footers and page
numbers are moved out of the lines into each page's `furniture`."""
from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .. import vocab
from ..errors import ExtractError
from ..models import Line, Page, SourceFile
from . import layout, ocr, pdftext
from .clean import clean_text

PAGE_NUMBER = re.compile(r"^(?:-\s*)?\d{1,3}(?:\s*-)?$|^(?:side|page|s\.)\s*\d{1,3}(?:\s*(?:av|/|of)\s*\d{1,3})?$",
                         re.I)
SIDE_N_AV_M = re.compile(r"\bSide\s+\d{1,3}\s+av\s+\d{1,3}\s*$", re.I)
CELL_SPLIT = re.compile(r"\t+|\s{2,}")
SENTENCE_END = re.compile(r"[a-zæøå]{2,}[.!?]$")
MARKDOWN = [(re.compile(r"^#{1,6}\s*"), ""), (re.compile(r"</?(?:b|i|u|strong|em)>", re.I), ""),
            (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
            (re.compile(r"(?<!\w)[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?!\w)"), "")]


def is_case_key(text: str) -> bool:
    """Does a table's first cell hold a case number (so it starts a row)?"""
    v = vocab.load()
    hit = v.case_families.first(text.strip())  # numbered styles come first
    return hit is not None and hit[0] < v.numbered_families


FOOTER_WORDS = 16  # a line this long that ends in 'Side 1 av 5' is a page run into one line, not its footer


def is_furniture_text(text: str) -> bool:
    return bool(PAGE_NUMBER.match(text) or SIDE_N_AV_M.search(text) and len(text.split()) <= FOOTER_WORDS)


def footer_tail(text: str) -> tuple[str, str] | None:
    """(the text, its footer) of a long line that ends in a page's footer: a transcript that ran a
    page into one line ('… Utskrift av enkeltsaker sendes til: Side 1 av 5')."""
    if len(text.split()) <= FOOTER_WORDS:  # a short line that ends so is a footer whole (is_furniture_text)
        return None
    m = SIDE_N_AV_M.search(text)
    return (text[:m.start()].rstrip(), m.group(0).strip()) if m else None


# --- PDF ----------------------------------------------------------------------------------------

def margin_masks(vlines: list[layout.VLine], height: float) -> dict[int, str]:
    """The page's lines in its top or bottom margin (by id) and their texts, digits masked."""
    return {id(v): _mask(v.text) for v in vlines[:3] + vlines[-3:] if v.top < 0.09 * height or v.bottom > 0.91 * height}


def furniture_keys(masks: list[dict[int, str]]) -> set[str]:
    """Texts (digits masked) in the top or bottom margin that repeat on two or more pages."""
    seen = Counter(key for page in masks for key in set(page.values()))
    return {k for k, n in seen.items() if n >= max(2, len(masks) / 2)}


_DIGITS = re.compile(r"\d+")


def _mask(text: str) -> str:
    return _DIGITS.sub("#", clean_text(text)).casefold()


class Scans:
    """The pages of a PDF read by OCR (pdftext.read_pdf's `reread`): those whose text layer is
    missing or mostly junk (ocr.text_layer_problem), where the page has something to read."""

    def __init__(self, settings: ocr.Settings = ocr.DEFAULT) -> None:
        self.settings = settings
        self.confidence: dict[int, float] = {}
        self.notes: dict[int, list[str]] = {}

    def __call__(self, page: pdfium.PdfPage, number: int, pages: int, runs: list[pdftext.Run]) \
            -> list[pdftext.Run] | None:
        problem = ocr.text_layer_problem(" ".join(r.text for r in runs))
        if problem is None or problem == ocr.NO_TEXT and not _has_image(page):
            return None  # a usable text layer, or a page without text or images
        ocr.page_started(number, pages)
        result = ocr.read_page(page, self.settings)
        self.confidence[number] = result.confidence
        notes = self.notes.setdefault(number, [])
        if runs:
            notes.append(f"page {number}: {problem}; read by OCR instead")
        if result.words and result.confidence < ocr.LOW_CONFIDENCE:
            notes.append(f"page {number}: read by OCR with low confidence ({result.confidence:.0f}/100); "
                         "check its rows")
        return result.runs


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2))


def pdf_pages(path: str, is_key: Callable[[str], bool] = is_case_key, scans: Scans | None = None) -> list[Page]:
    scans = Scans() if scans is None else scans
    try:
        raw_pages = [(n, h, layout.runs_to_vlines(runs), rules, layout.texts_settled(runs))
                     for n, h, runs, rules in pdftext.read_pdf(path, scans)]
    except ExtractError:
        raise
    except Exception as exc:  # pdfium raises its own error types and OSError
        raise ExtractError(f"cannot read PDF text ({exc})") from exc
    masks = [margin_masks(vlines, height) for _, height, vlines, _, _ in raw_pages]
    repeated = furniture_keys(masks)
    row_ids = count(1)
    pages = []
    for (number, _, vlines, rules, settled), margin in zip(raw_pages, masks):
        furniture = [v for v in vlines if id(v) in margin and (margin[id(v)] in repeated or is_furniture_text(v.text))]
        gone = {id(v) for v in furniture}
        body = [v for v in vlines if id(v) not in gone] if gone else vlines
        lines = layout.page_lines(body, rules, number, row_ids, is_key, settled)
        pages.append(Page(number, tuple(lines), tuple(clean_text(v.text) for v in furniture),
                          scans.confidence.get(number), tuple(scans.notes.get(number, ()))))
    return pages


# --- text ---------------------------------------------------------------------------------------

def decode(data: bytes, notes: list[str] | None = None) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252; binary data is refused. A UTF-8
    file with stray bytes that are not UTF-8 (a line pasted from a cp1252 file) is read span by
    span: the UTF-8 as UTF-8, the stray bytes as cp1252, and a note in `notes` says on which lines.
    Control characters (NUL included) other than tab, newline, carriage return and form feed are
    removed."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _without_controls(data.decode("utf-16"))
    if b"\x00" in data[:4096]:
        raise ExtractError("binary data, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text, stray = _mixed(data.removeprefix(codecs.BOM_UTF8))
        if stray and notes is not None:
            shown = ", ".join(map(str, stray[:10])) + (f" and {len(stray) - 10} more" if len(stray) > 10 else "")
            notes.append(f"not UTF-8 on line{'s' if len(stray) > 1 else ''} {shown} of a UTF-8 file: "
                         "read there as cp1252 (check those lines)")
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f" or ch == "\ufffd")
    if sample and controls / len(sample) > 0.05:
        raise ExtractError(f"binary data, not text ({controls / len(sample):.0%} control characters)")
    return _without_controls(text)


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _without_controls(text: str) -> str:
    return _CONTROLS.sub("", text)


def _mixed(data: bytes) -> tuple[str, list[int]]:
    """Bytes that are not all UTF-8: if no line holds UTF-8 beyond ASCII, the whole file as
    cp1252 (no lines named); else each line as UTF-8 where it is, its stray bytes as cp1252, with
    the numbers of the lines that held stray bytes."""
    lines = data.split(b"\n")
    utf8_beyond_ascii = False
    for line in lines:
        if not line.isascii():
            try:
                line.decode("utf-8")
                utf8_beyond_ascii = True
                break
            except UnicodeDecodeError:
                continue
    if not utf8_beyond_ascii:
        return data.decode("cp1252", errors="replace"), []
    out: list[str] = []
    stray: list[int] = []
    for n, line in enumerate(lines, start=1):
        parts, at = [], 0
        while at < len(line):
            try:
                parts.append(line[at:].decode("utf-8"))
                break
            except UnicodeDecodeError as exc:
                parts.append(line[at:at + exc.start].decode("utf-8"))
                parts.append(line[at + exc.start:at + exc.end].decode("cp1252", errors="replace"))
                at += exc.end
                if not stray or stray[-1] != n:
                    stray.append(n)
        out.append("".join(parts))
    return "\n".join(out), stray


def strip_markdown(line: str) -> str:
    for pattern, repl in MARKDOWN:
        line = pattern.sub(repl, line)
    return line


def text_lines(raw: str, page: int, row_ids: Iterator[int], markdown: bool,
               running: frozenset[int] = frozenset()) -> tuple[list[Line], list[str]]:
    """Lines of one text page; `running`: source line numbers of running headers/footers."""
    lines: list[Line] = []
    furniture: list[str] = []
    for k, source_line in enumerate(raw.splitlines()):
        if markdown:
            source_line = strip_markdown(source_line)
        text = clean_text(source_line)
        if not text:
            continue
        if is_furniture_text(text) or k in running:
            furniture.append(text)
            continue
        tail = footer_tail(text)
        if tail:
            text, footer = tail
            furniture.append(footer)
            source_line = text
        top = float(k)  # source line number: blank lines keep their place for paragraph breaks
        piped = pipe_cells(text)
        if piped is not None:
            if piped:
                rid = next(row_ids)
                lines.extend(Line(c, page, row=rid, col=n, top=top) for n, c in piped)
            continue
        cells = split_cells(source_line)
        if len(cells) > 1:
            rid = next(row_ids)
            lines.extend(Line(c, page, row=rid, col=n, top=top) for n, c in enumerate(cells))
        else:
            lines.append(Line(text, page, top=top))
    return lines, furniture


PIPE_ROW = re.compile(r"^\|?[^|]*(?:\|[^|]*){2,}$")
PIPE_RULE = re.compile(r"^[\s|:-]+$")


def pipe_cells(text: str) -> list[tuple[int, str]] | None:
    """A table row written with pipes ('Navn | Stilling | Organisasjon |', a markdown table): its
    non-empty cells with their column numbers (an empty cell keeps its column); [] for a rule row
    ('|---|---|'); None for a line that is no such row."""
    if text.count("|") < 2 or not PIPE_ROW.match(text):
        return None
    if PIPE_RULE.match(text):
        return []
    body = text.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return [(n, c.strip()) for n, c in enumerate(body.split("|")) if c.strip()]


def split_cells(source_line: str) -> list[str]:
    """Cells of a text table row, split at tabs or runs of 2+ spaces; the double space some
    writers type after a full stop inside a sentence is not a cell boundary."""
    cells: list[str] = []
    for part in (clean_text(c) for c in CELL_SPLIT.split(source_line.strip())):
        if not part:
            continue
        if cells and SENTENCE_END.search(cells[-1]) and len(cells[-1].split()) >= 2 and part[:1].isupper() \
                and len(part.split()) >= 3:
            cells[-1] = f"{cells[-1]} {part}"
        else:
            cells.append(part)
    return cells


def running_lines(pages: list[list[str]]) -> list[frozenset[int]]:
    """Like furniture_keys for PDFs: per page, the line numbers among its first two and last two
    non-empty lines whose text (digits masked) recurs there on most pages."""
    margins = []
    for src in pages:
        filled = [k for k, ln in enumerate(src) if ln.strip()]
        margins.append({k: _mask(src[k]) for k in filled[:2] + filled[-2:]})
    if len(pages) < 2:
        return [frozenset()] * len(pages)
    seen = Counter(key for m in margins for key in set(m.values()))
    repeated = {key for key, n in seen.items() if key and n >= max(2, len(pages) / 2)}
    return [frozenset(k for k, key in m.items() if key in repeated) for m in margins]


def text_pages(path: str, fmt: str) -> list[Page]:
    notes: list[str] = []
    raw = decode(Path(path).read_bytes(), notes)
    row_ids = count(1)
    pages = []
    chunks = raw.split("\f")
    running = running_lines([chunk.splitlines() for chunk in chunks])
    for n, chunk in enumerate(chunks, start=1):
        lines, furniture = text_lines(chunk, n, row_ids, markdown=fmt == "md" or _looks_markdown(chunk),
                                      running=running[n - 1])
        pages.append(Page(n, tuple(lines), tuple(furniture), notes=tuple(notes) if n == 1 else ()))
    if not any(p.lines for p in pages):
        raise ExtractError("no text")
    return pages


def _looks_markdown(text: str) -> bool:
    return len(re.findall(r"(?m)^#{1,6} \S", text)) >= 2


def run(source: SourceFile) -> list[Page]:
    if source.format == "pdf":
        pages = pdf_pages(source.path)
        if not any(p.lines for p in pages):
            scanned = sum(1 for p in pages if p.ocr_confidence is not None)
            raise ExtractError(f"scanned PDF: OCR found no text on its {scanned} page images" if scanned else
                               "PDF has no text: no text layer, and no page image to read by OCR")
        return pages
    return text_pages(source.path, source.format)
