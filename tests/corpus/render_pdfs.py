#!/usr/bin/env python3
"""Render the test corpus texts (tests/corpus/docs/*.txt) as PDF documents.

Each ``docs/<name>.txt`` becomes ``pdfs/<name>.pdf``: a plain, Word-like A4 document
with a real text layer, in the same style as the renderings in ``shared/real/pdfs/``.

Layout rules
    * A4, 2.5 cm margins, body text 11 pt with 1.15 line spacing.
    * One source line is one paragraph; long lines wrap to the page width.
    * An empty (or whitespace-only) line adds vertical space.
    * Leading spaces become a left indent (the width of those spaces, capped),
      kept for the wrapped continuation lines too.
    * A short first line (at most 80 characters) without a colon becomes a bold
      15 pt title.
    * docplayer transcripts, i.e. texts whose first line starts with the page marker
      "1 ", get one page per marker block ("1 ...", "2 ...", ...). A block starts at a
      line, after an empty line, that begins with the next page number. The marker
      text stays in the text and the empty lines between blocks are not drawn. A block
      that does not fit on one page runs on to the next page.
    * Footer page numbers in 9 pt; the style rotates over the files.
    * The font family rotates over the files (regular + bold TrueType, embedded
      as subsets, so the text is selectable and keeps æøå).

Output is deterministic: the canvas is made with ``invariant=1``, so rerunning the
script gives byte-identical files.

Usage (from the repository root)::

    .venv/bin/python tests/corpus/render_pdfs.py

Needs reportlab and the Debian font packages ``fonts-dejavu-core`` and
``fonts-liberation2``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent
DOCS_DIR = HERE / "docs"
PDFS_DIR = HERE / "pdfs"

# (family name, regular file, bold file); file i uses FONTS[i % len(FONTS)].
FONT_DIR = Path("/usr/share/fonts/truetype")
FONTS = [
    ("LiberationSans", "liberation2/LiberationSans-Regular.ttf", "liberation2/LiberationSans-Bold.ttf"),
    ("LiberationSerif", "liberation2/LiberationSerif-Regular.ttf", "liberation2/LiberationSerif-Bold.ttf"),
    ("DejaVuSans", "dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    ("DejaVuSerif", "dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
]

# Footer styles; file i uses FOOTERS[i % len(FOOTERS)]. ({n} = page, {m} = page count)
FOOTERS = [
    ("{n}", "center"),
    ("Side {n}", "right"),
    ("- {n} -", "center"),
    ("Side {n} av {m}", "right"),
]

PAGE_W, PAGE_H = A4
MARGIN = 70.87  # 2.5 cm
TEXT_W = PAGE_W - 2 * MARGIN
TOP_Y = PAGE_H - MARGIN
BOTTOM_Y = MARGIN
FOOTER_Y = 38.0

BODY_SIZE, BODY_LEADING, PARA_AFTER = 11.0, 11.0 * 1.15, 4.0
TITLE_SIZE, TITLE_LEADING, TITLE_AFTER = 15.0, 15.0 * 1.15, 10.0
EMPTY_LINE_SPACE = 8.0
FOOTER_SIZE = 9.0
MAX_INDENT = 0.4 * TEXT_W
TITLE_MAX_CHARS = 80


@dataclass
class Paragraph:
    text: str
    bold: bool = False


# A block is a list of Paragraph items; None stands for an empty line (vertical space).
Block = list[Paragraph | None]
# One drawn line: (font name, size, x, y, text).
Op = tuple[str, float, float, float, str]


def register_fonts() -> None:
    """Register every font family of FONTS (regular and bold) with reportlab."""
    for family, regular, bold in FONTS:
        for name, rel in ((family, regular), (family + "-Bold", bold)):
            path = FONT_DIR / rel
            if not path.is_file():
                sys.exit(f"missing font {path}: apt-get install fonts-dejavu-core fonts-liberation2")
            pdfmetrics.registerFont(TTFont(name, str(path)))


def split_blocks(text: str) -> list[Block]:
    """Split a source text into page blocks of paragraphs.

    Plain texts are one block. docplayer transcripts (first line starts with "1 ")
    are split at each line that follows an empty line and starts with the next page
    number; the empty lines that separate the blocks are dropped.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return [[]]

    if not lines[0].startswith("1 "):
        first = lines[0].strip()
        is_title = 0 < len(first) <= TITLE_MAX_CHARS and ":" not in first and re.search(r"[^\W\d_]", first)
        block: Block = [Paragraph(lines[0], bold=bool(is_title))]
        block += [Paragraph(line) if line.strip() else None for line in lines[1:]]
        return [block]

    chunks: list[list[str]] = []
    current: list[str] = []
    next_page = 1
    for i, line in enumerate(lines):
        starts_page = (i == 0 or not lines[i - 1].strip()) and re.match(rf"{next_page}(\s|$)", line)
        if starts_page:
            if current:
                chunks.append(current)
            current = [line]
            next_page += 1
        else:
            current.append(line)
    chunks.append(current)

    blocks: list[Block] = []
    for chunk in chunks:
        while chunk and not chunk[-1].strip():
            chunk.pop()
        blocks.append([Paragraph(line) if line.strip() else None for line in chunk])
    return blocks


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; runs of spaces inside a line are kept, dropped at breaks.

    A word wider than the line is broken between characters.
    """

    def measure(s: str) -> float:
        return float(pdfmetrics.stringWidth(s, font, size))

    lines: list[str] = []
    current = ""
    for token in re.findall(r"\s+|\S+", text):
        if token.isspace():
            if current:
                current += token
            continue
        if measure(current + token) <= width:
            current += token
            continue
        if current.strip():
            lines.append(current.rstrip())
        current = ""
        while measure(token) > width:  # break an over-long word
            cut = len(token) - 1
            while cut > 1 and measure(token[:cut]) > width:
                cut -= 1
            lines.append(token[:cut])
            token = token[cut:]
        current = token
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def layout(blocks: list[Block], family: str) -> list[list[Op]]:
    """Place the blocks on pages; return per page a list of (font, size, x, y, text)."""
    pages: list[list[Op]] = []
    for block in blocks:
        page: list[Op] = []
        pages.append(page)
        y = TOP_Y
        for para in block:
            if para is None:
                y -= EMPTY_LINE_SPACE
                continue
            font = family + "-Bold" if para.bold else family
            size, leading, after = (
                (TITLE_SIZE, TITLE_LEADING, TITLE_AFTER) if para.bold else (BODY_SIZE, BODY_LEADING, PARA_AFTER)
            )
            body = para.text.expandtabs(4).rstrip()
            stripped = body.lstrip(" ")
            indent = min(float(pdfmetrics.stringWidth(body[: len(body) - len(stripped)], font, size)), MAX_INDENT)
            for line in wrap(stripped, font, size, TEXT_W - indent):
                if y - leading < BOTTOM_Y and page:  # full: run on to a new page
                    page = []
                    pages.append(page)
                    y = TOP_Y
                y -= leading
                page.append((font, size, MARGIN + indent, y + (leading - size) / 2, line))
            y -= after
    return pages


def render(src: Path, dst: Path, index: int) -> int:
    """Render one text file to PDF; return the page count."""
    family = FONTS[index % len(FONTS)][0]
    footer, align = FOOTERS[index % len(FOOTERS)]
    pages = layout(split_blocks(src.read_text(encoding="utf-8")), family)

    c = canvas.Canvas(
        str(dst), pagesize=A4, invariant=1, pageCompression=1, initialFontName=family, initialFontSize=BODY_SIZE
    )
    c.setTitle(src.stem)
    c.setCreator("tests/corpus/render_pdfs.py")
    for n, page in enumerate(pages, start=1):
        for font, size, x, y, line in page:
            c.setFont(font, size)
            c.drawString(x, y, line)
        c.setFont(family, FOOTER_SIZE)
        label = footer.format(n=n, m=len(pages))
        if align == "center":
            c.drawCentredString(PAGE_W / 2, FOOTER_Y, label)
        else:
            c.drawRightString(PAGE_W - MARGIN, FOOTER_Y, label)
        c.showPage()
    c.save()
    return len(pages)


def main() -> None:
    register_fonts()
    PDFS_DIR.mkdir(exist_ok=True)
    for index, src in enumerate(sorted(DOCS_DIR.glob("*.txt"))):
        dst = PDFS_DIR / (src.stem + ".pdf")
        count = render(src, dst, index)
        print(f"{dst.relative_to(HERE)}: {count} page(s), {FONTS[index % len(FONTS)][0]}")


if __name__ == "__main__":
    main()
