"""Reading a PDF page that has no usable text layer: Tesseract's Norwegian model on the page drawn
by PDFium, its word boxes made into text runs like those pdftext reads from a born-digital page.

Whether a page needs it (`text_layer_problem`) is decided from its text layer alone: no text at
all, a high share of characters that are not text (replacement characters, control and
private-use characters, unmapped glyphs written as "(cid:N)"), or a low share of word-like words.

Each word becomes a Run in PDF points, with its line's top and bottom (so the words of one line
share a baseline for layout.py), a font size estimated from the line's height and boldness from
its stroke width, so layout.py and everything after it read the page as a born-digital one.

Tesseract runs in-process through tesserocr (whose wheel ships libtesseract); the Norwegian model
comes from the system (Debian's tesseract-ocr-nor). Nothing is downloaded."""
from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import ExtractError
from .clean import clean_text
from .pdftext import Run

if TYPE_CHECKING:  # numpy, Pillow and tesserocr are imported when a page is read by OCR
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    Grey = np.ndarray[Any, np.dtype[np.uint8]]  # a page in grey levels
    Binary = np.ndarray[Any, np.dtype[np.bool_]]  # dark pixels

LANGUAGE = "nor"
INSTALL = ("install Tesseract's Norwegian model: apt-get install tesseract-ocr-nor (Debian/Ubuntu), "
           "brew install tesseract-lang (macOS)")
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/share/tessdata", "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata",
                 "/opt/local/share/tessdata")
LOW_CONFIDENCE = 70.0  # a page whose mean word confidence is below this gets a warning


@dataclass(frozen=True)
class Settings:
    """How a page is drawn and prepared for Tesseract (see benchmarks/bench_ocr.py for the
    measurements behind the defaults)."""

    dpi: int = 300
    deskew: bool = True  # measure the skew (projection profiles) and rotate it away
    threshold: int = 0  # Tesseract's binarisation: 0 Otsu, 1 Leptonica's Otsu, 2 Sauvola
    median: bool = True  # a 3x3 median filter against speckle before Tesseract


DEFAULT = Settings()


@dataclass
class OcrPage:
    runs: list[Run]
    confidence: float  # Tesseract's mean word confidence, 0-100
    words: int
    skew: float  # degrees the page was rotated by


# --- is the text layer usable? -------------------------------------------------------------------

_EDGE = "\"'«»“”‘’()[]{}.,;:!?*•–—-/"
_LETTERS = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_VOWELS = set("aeiouyæøåäöüéèêáàóòôíú")
_CID = re.compile(r"\(cid:\d+\)")
MIN_CHARS = 3  # fewer non-space characters than this is no text
NO_TEXT = "no text layer"


@dataclass(frozen=True)
class TextMeasures:
    chars: int  # non-space characters
    junk: float  # share of them that are not text
    words: int  # tokens with a letter
    wordlike: float  # share of those that look like words


def measure(text: str) -> TextMeasures:
    """The measures of a page's text that decide whether it is usable."""
    tokens = text.split()  # the runs of non-space characters (what the re module's \S+ finds)
    chars, junk = _characters(text, tokens)
    good, words = _words(tokens)
    return TextMeasures(chars, junk / chars if chars else 0.0, words, good / words if words else 1.0)


def _characters(text: str, tokens: list[str]) -> tuple[int, int]:
    """(non-space characters, those of them that are not text) of a page's text and its tokens."""
    if "(cid:" not in text and text.isprintable():  # then its only white space is U+0020 (the others are not printable)
        return len(text) - text.count(" "), text.count("\ufffd")
    return _junk(tokens if "(cid:" not in text else _CID.sub("\ufffd", text).split())


def _words(tokens: list[str]) -> tuple[int, int]:
    """(tokens that look like words, tokens with a letter)."""
    kinds = _token_kinds(tokens)
    good = kinds.count(2)
    return good, good + kinds.count(1)


_CHUNK = 64  # tokens classified between two looks at whether the rest can still change the answer


def _mostly_words(tokens: list[str]) -> bool:
    """Are there fewer than 5 tokens with a letter, or do at least half of them look like words?
    Decided as soon as the tokens classified settle it: when, even if every token left were a
    word that does not look like one, half would still look like words."""
    good = lettered = 0
    for start in range(0, len(tokens), _CHUNK):
        chunk_good, chunk_lettered = _words(tokens[start:start + _CHUNK])
        good, lettered = good + chunk_good, lettered + chunk_lettered
        if 2 * good >= lettered + max(0, len(tokens) - start - _CHUNK):
            return True
    return lettered < 5


def _junk(tokens: list[str]) -> tuple[int, int]:
    """(non-space characters, those of them that are not text) of a text split at spaces. Most
    pages hold only printable characters, which str.isprintable tells at C speed: then only
    U+FFFD can be junk."""
    compact = "".join(tokens)
    if compact.isprintable():
        return len(compact), compact.count("\ufffd")
    return len(compact), sum(1 for ch in compact if _not_text(ch))


def _not_text(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return ch == "\ufffd" or cat in ("Cc", "Co", "Cn", "Cs") or ch == "\x00"


_KINDS: dict[str, int] = {}  # each token's kind, once per process (pages' words repeat: 'og', 'saken', 'helse')
_KINDS_KEPT = 1 << 16  # tokens remembered before the memory is cleared


def _token_kinds(tokens: list[str]) -> list[int]:
    """_token_kind of each token: looked up where known, classified once where not."""
    kinds = list(map(_KINDS.get, tokens))
    if None in kinds:
        if len(_KINDS) > _KINDS_KEPT:
            _KINDS.clear()
        _KINDS.update((t, _token_kind(t)) for t in set(tokens).difference(_KINDS))
        kinds = list(map(_KINDS.__getitem__, tokens))
    return cast("list[int]", kinds)


def _token_kind(raw: str) -> int:
    """0 for a token without a letter, 1 for a word that does not look like one, 2 for a word
    that does."""
    token = raw.strip(_EDGE)
    if not any(c.isalpha() for c in token):
        return 0
    return 2 if _wordlike(token) else 1


_NUMBERED = re.compile(r"\d+(?:[./:-]\d+)*[a-zA-Z]?|[A-Za-zÆØÅæøå]{1,4}\.?\d+")


def _wordlike(token: str) -> bool:
    """A word as people write it: letters (a hyphen or apostrophe inside), lower case,
    capitalised or all capitals, a vowel unless short (abbreviations: 'kl', 'dvs', 'HF');
    numbers with a letter suffix ('3a', '2024/13b') count too."""
    if _NUMBERED.fullmatch(token):
        return True
    if not _LETTERS.fullmatch(token):
        return False
    if not (token.islower() or token.isupper() or (token[0].isupper() and token[1:].islower())
            or "-" in token):
        return False
    low = token.casefold()
    if not any(c in _VOWELS for c in low) and len(low) > (5 if token.isupper() else 3):
        return False  # without a vowel: abbreviations only ('kl', 'dvs', 'SSU', 'NSF')
    run = 0
    for c in low:
        run = 0 if c in _VOWELS or not c.isalpha() else run + 1
        if run > 5:
            return False
    return len(set(low)) > 1 or len(low) <= 2


def text_layer_problem(text: str) -> str | None:
    """None if a page's text layer is usable, else why not: no text, or mostly junk (measure's
    thresholds; the words are classified only until the answer is settled)."""
    tokens = text.split()
    chars, junk = _characters(text, tokens)
    if chars < MIN_CHARS:
        return NO_TEXT
    if junk / chars > 0.10:
        return f"a text layer that is mostly junk ({junk / chars:.0%} of its characters are not text)"
    if _mostly_words(tokens):
        return None
    good, words = _words(tokens)
    return f"a text layer that is mostly junk (only {good / words:.0%} of its words look like words)"


# --- Tesseract ------------------------------------------------------------------------------------

def tessdata() -> Path | None:
    """The folder holding the Norwegian model (TESSDATA_PREFIX first, then the usual places)."""
    env = os.environ.get("TESSDATA_PREFIX")
    for d in ([env, str(Path(env) / "tessdata")] if env else []) + list(TESSDATA_DIRS):
        if (Path(d) / f"{LANGUAGE}.traineddata").is_file():
            return Path(d)
    return None


def missing() -> str | None:
    """Why OCR cannot run here (the words to act on), or None."""
    try:
        import tesserocr  # noqa: F401
    except ImportError as exc:
        return f"the tesserocr package cannot be loaded ({exc}); reinstall minutes"
    if tessdata() is None:
        return f"Tesseract's Norwegian model (nor.traineddata) is not installed; {INSTALL}"
    return None


@lru_cache(maxsize=1)
def _api(threshold: int) -> Any:
    """One Tesseract per process, loaded at its first page and kept for the next ones."""
    reason = missing()
    if reason:
        raise ExtractError(f"this PDF needs OCR but {reason}")
    import tesserocr

    tesserocr.set_leptonica_log_level(tesserocr.LeptLogLevel.NONE)  # its notes on empty boxes are noise here
    api = tesserocr.PyTessBaseAPI(path=str(tessdata()) + os.sep, lang=LANGUAGE, psm=tesserocr.PSM.AUTO)
    api.SetVariable("thresholding_method", str(threshold))
    return api


def rasterise(page: pdfium.PdfPage, dpi: int) -> Grey:
    """The page drawn by PDFium in grey levels at `dpi`."""
    import numpy as np

    bitmap = page.render(scale=dpi / 72, grayscale=True)
    try:
        arr: Grey = np.array(bitmap.to_numpy(), dtype=np.uint8)
    finally:
        bitmap.close()
    return arr.reshape(arr.shape[0], arr.shape[1]) if arr.ndim == 3 else arr


def skew_angle(gray: Grey, dpi: int, limit: float = 3.0) -> float:
    """The page's skew in degrees (positive: lines fall to the right), found as the angle whose
    horizontal projection of dark pixels (at about 100 dpi) is sharpest."""
    import numpy as np

    step = max(1, round(dpi / 100))
    small = gray[::step, ::step]
    ys, xs = np.nonzero(small < 128)
    if len(xs) < 200:
        return 0.0
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64) - xs.mean()

    def sharpness(angle: float) -> float:
        rows = np.round(ys - xs * np.tan(np.radians(angle))).astype(np.int64)
        hist = np.bincount(rows - rows.min())
        return float(np.dot(hist, hist))

    coarse = max(np.arange(-limit, limit + 1e-9, 0.25), key=sharpness)
    fine = max(np.arange(coarse - 0.25, coarse + 0.25 + 1e-9, 0.05), key=sharpness)
    return round(float(fine), 2)


def prepare(gray: Grey, settings: Settings) -> tuple[Image.Image, float]:
    """The image Tesseract reads, and the angle it was rotated by."""
    from PIL import Image, ImageFilter

    image = Image.fromarray(gray, mode="L")
    angle = skew_angle(gray, settings.dpi) if settings.deskew else 0.0
    if abs(angle) > 0.1:  # less moves a line by under 3 pixels across the page
        image = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    if settings.median:
        image = image.filter(ImageFilter.MedianFilter(3))
    return image, angle


def read_page(page: pdfium.PdfPage, settings: Settings = DEFAULT) -> OcrPage:
    """Tesseract's words on a drawn page, as text runs in PDF points."""
    import numpy as np
    from tesserocr import RIL

    api = _api(settings.threshold)
    image, angle = prepare(rasterise(page, settings.dpi), settings)
    api.SetImage(image)
    api.SetSourceResolution(settings.dpi)
    api.Recognize()
    binary = np.asarray(api.GetThresholdedImage().convert("L")) < 128
    scale = 72 / settings.dpi
    words: list[_Word] = []
    it = api.GetIterator()
    line, line_box, size = -1, (0, 0, 0, 0), 0.0
    if it is not None and not it.Empty(RIL.WORD):
        while True:
            if it.IsAtBeginningOf(RIL.TEXTLINE):
                line, line_box = line + 1, it.BoundingBox(RIL.TEXTLINE) or line_box
                size = _font_size(it.RowAttributes(), line_box, scale)
            text = clean_text(it.GetUTF8Text(RIL.WORD) or "")
            box = it.BoundingBox(RIL.WORD)
            conf = float(it.Confidence(RIL.WORD))
            if text and box and _kept(text, conf):
                words.append(_Word(text, list(box), line, (line_box[1], line_box[3]), conf, size))
            if not it.Next(RIL.WORD):
                break
    api.Clear()
    _fit_edges(words, binary)
    widths = [_stroke(binary, w.box) for w in words]
    typical = float(np.median([w for w in widths if w > 0])) if any(w > 0 for w in widths) else 0.0
    runs = [Run(w.text, w.box[0] * scale, w.box[2] * scale, w.band[0] * scale, w.band[1] * scale,
                typical > 0 and width > 1.3 * typical, w.size)
            for w, width in zip(words, widths)]
    return OcrPage(runs, float(np.mean([w.conf for w in words])) if words else 0.0, len(words), angle)


@dataclass
class _Word:
    text: str
    box: list[int]  # left, top, right, bottom in pixels
    line: int  # Tesseract's text line
    band: tuple[int, int]  # the line's top and bottom in pixels
    conf: float
    size: float


def _fit_edges(words: list[_Word], binary: Binary) -> None:
    """Tesseract's word boxes from its LSTM engine can stop short of a word's last letter (a box
    for "14.03.2013" ending inside the "3", which made the gap to the next word look like a table
    column's). Between two words of a line, the widest run of columns without ink is the space
    between them: ink left of it belongs to the left word, ink right of it to the right one."""
    for a, b in zip(words, words[1:]):
        if a.line != b.line or b.box[0] <= a.box[2]:
            continue
        top, bottom = a.band
        region = binary[max(0, top):bottom, a.box[2]:b.box[0]]
        cols = [bool(c) for c in cast("Binary", region.any(axis=0))]
        if not any(cols):
            continue
        best_start, best_len, start = 0, 0, None
        for k, ink in enumerate([*cols, True]):
            if not ink and start is None:
                start = k
            elif ink and start is not None:
                if k - start > best_len:
                    best_start, best_len = start, k - start
                start = None
        if best_len == 0:
            continue
        a.box[2] += best_start
        b.box[0] = a.box[2] + best_len if best_start + best_len < len(cols) else b.box[0]


def _kept(text: str, conf: float) -> bool:
    """Speckle read as a mark: a word without a letter or digit, read with low confidence."""
    return conf >= 40 or any(c.isalnum() for c in text)


SIZE_RATIO = 1.18  # ascender-to-descender height over font size, measured on the tests' scans (11 and 15 pt)


def _font_size(row: Any, line_box: tuple[int, int, int, int], scale: float) -> float:
    """Points from the row's height above the baseline and its descenders (Tesseract's row
    attributes, in pixels), else from the line's box; rounded to 0.5 pt."""
    height = 0.0
    if isinstance(row, dict) and row.get("row_height"):
        height = float(row["row_height"]) - float(row.get("descenders") or 0.0)
    if height <= 0:
        height = line_box[3] - line_box[1]
    return round(height * scale / SIZE_RATIO * 2) / 2


def _stroke(binary: Binary, box: list[int]) -> float:
    """Mean horizontal stroke width of a word's dark pixels (bold type has wider strokes)."""
    x0, y0, x1, y1 = box
    cut = binary[max(0, y0):y1, max(0, x0):x1]
    if cut.size == 0:
        return 0.0
    ink = int(cut.sum())
    starts = int((cut[:, 1:] & ~cut[:, :-1]).sum() + cut[:, 0].sum())
    return ink / starts if starts else 0.0


# --- progress --------------------------------------------------------------------------------------

_on_page: Callable[[int, int], None] | None = None


def set_progress(callback: Callable[[int, int], None] | None) -> None:
    """`callback(page, pages)` is called before each page is read by OCR (the build's worker
    reports it on the progress bar and gives the page its own time limit)."""
    global _on_page
    _on_page = callback


def page_started(number: int, pages: int) -> None:
    if _on_page is not None:
        _on_page(number, pages)
