"""Reading a PDF page through PDFium: text runs (with font size and boldness) and ruling lines.

PDFium's text page reads the page's text objects in content order and makes one text rectangle
per object, walking the characters. So where the rectangles and the text objects pair up (as
many of each, each rectangle on its object), a run takes its geometry from the rectangle, its font
from the object, and its text from the page text between its object's first character and the
next one's. Where they do not pair up, each rectangle's first character is found by a hit test.

The calls made per object, per rectangle and per character run in C (pipeline/read/_pdfpage.c, one
call per page), and so does cutting each run's text from the page text and cleaning it, where
that extension was built; the Python functions here are the reference it is tested against and
the fallback where no compiler was at hand. The Python functions call PDFium
through prototypes that pass handles as plain integers (the same C functions pypdfium2 binds),
which costs a fraction of a call with typed pointers."""
from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from ctypes import POINTER, c_char_p, c_double, c_float, c_int, c_ulong, c_void_p
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .clean import CHANGED, clean_text

Rect = tuple[float, float, float, float]  # left, bottom, right, top in PDF coordinates


@dataclass(slots=True)
class Run:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    bold: bool
    size: float

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Rules:
    horizontal: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    vertical: list[tuple[float, float, float]] = field(default_factory=list)  # (x, top, bottom)


def _proto(name: str, restype: Any, *argtypes: Any) -> Any:
    """The PDFium function `name` with integer handles (c_void_p) in place of typed pointers."""
    address = ctypes.cast(getattr(pdfium_c, name), c_void_p).value
    return ctypes.CFUNCTYPE(restype, *argtypes)(cast(int, address))


_PF, _PD = POINTER(c_float), POINTER(c_double)
_count_objects = _proto("FPDFPage_CountObjects", c_int, c_void_p)
_get_object = _proto("FPDFPage_GetObject", c_void_p, c_void_p, c_int)
_form_count = _proto("FPDFFormObj_CountObjects", c_int, c_void_p)
_form_object = _proto("FPDFFormObj_GetObject", c_void_p, c_void_p, c_ulong)
_obj_type = _proto("FPDFPageObj_GetType", c_int, c_void_p)
_obj_bounds = _proto("FPDFPageObj_GetBounds", c_int, c_void_p, _PF, _PF, _PF, _PF)
_text_font = _proto("FPDFTextObj_GetFont", c_void_p, c_void_p)
_text_font_size = _proto("FPDFTextObj_GetFontSize", c_int, c_void_p, _PF)
_font_name = _proto("FPDFFont_GetBaseFontName", c_ulong, c_void_p, c_char_p, c_ulong)
_font_weight = _proto("FPDFFont_GetWeight", c_int, c_void_p)
_count_chars = _proto("FPDFText_CountChars", c_int, c_void_p)
_count_rects = _proto("FPDFText_CountRects", c_int, c_void_p, c_int, c_int)
_get_rect = _proto("FPDFText_GetRect", c_int, c_void_p, c_int, _PD, _PD, _PD, _PD)
_char_object = _proto("FPDFText_GetTextObject", c_void_p, c_void_p, c_int)
_char_at = _proto("FPDFText_GetCharIndexAtPos", c_int, c_void_p, c_double, c_double, c_double, c_double)
_char_box = _proto("FPDFText_GetCharBox", c_int, c_void_p, c_int, _PD, _PD, _PD, _PD)
_char_font_size = _proto("FPDFText_GetFontSize", c_double, c_void_p, c_int)
_char_font_weight = _proto("FPDFText_GetFontWeight", c_int, c_void_p, c_int)
_char_font_info = _proto("FPDFText_GetFontInfo", c_ulong, c_void_p, c_int, c_char_p, c_ulong, POINTER(c_int))

_TEXT, _PATH, _FORM = pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
# reused out-parameters (each worker process reads one page at a time, in one thread)
_F = [c_float() for _ in range(4)]
_D = [c_double() for _ in range(4)]
_F_REFS = [ctypes.byref(f) for f in _F]  # passed as pointers without a conversion per call
_D_REFS = [ctypes.byref(d) for d in _D]
_NAME = ctypes.create_string_buffer(256)
_FLAGS = c_int()
_FLAGS_REF = ctypes.byref(_FLAGS)


TextObject = tuple[int, bool, float]  # a text object's handle, boldness and font size (rounded to 0.1)


# the functions _pdfpage calls, in the order its bind() takes them
_BOUND = ("FPDFPage_CountObjects", "FPDFPage_GetObject", "FPDFFormObj_CountObjects", "FPDFFormObj_GetObject",
          "FPDFPageObj_GetType", "FPDFPageObj_GetBounds", "FPDFTextObj_GetFont", "FPDFTextObj_GetFontSize",
          "FPDFFont_GetBaseFontName", "FPDFFont_GetWeight", "FPDFText_CountRects", "FPDFText_GetRect",
          "FPDFText_GetTextObject", "FPDFText_GetCharBox")


class _Compiled(Protocol):
    """The C extension _pdfpage.c, as this module uses it."""

    def walk(self, page: int, height: float, /) -> tuple[list[TextObject], list[tuple[float, float, float]],
                                                         list[tuple[float, float, float]]]: ...

    def geometry(self, textpage: int, n: int, texts: list[TextObject], full: str, /) \
        -> tuple[list[Rect], list[int] | None]: ...

    def run_texts(self, full: str, firsts: list[int], n: int, /) -> list[str | None]: ...

    def group_runs(self, runs: list[Run], /) -> list[list[Run]] | None: ...


def _compiled() -> _Compiled | None:
    """The C helpers bound to pypdfium2's PDFium, or None where the extension was not built."""
    try:
        from . import _pdfpage
    except ImportError:
        return None
    if not hasattr(_pdfpage, "group_runs"):  # built from an older _pdfpage.c: not used until built again
        return None
    _pdfpage.bind(tuple(ctypes.cast(getattr(pdfium_c, name), c_void_p).value for name in _BOUND),
                  _TEXT, _PATH, _FORM, clean_text, CHANGED)
    return _pdfpage


compiled = _compiled()  # the C helpers, or None (layout.py groups runs into lines with them too)


def _handle(obj: Any) -> int:
    return ctypes.cast(obj.raw, c_void_p).value or 0


def page_objects(page: pdfium.PdfPage) -> tuple[list[TextObject], Rules]:
    """One walk over the page's objects and those of its forms (two levels): text objects in
    content order, and ruling lines (thin, long path objects)."""
    if compiled is None:
        return _page_objects(page)
    texts, horizontal, vertical = compiled.walk(_handle(page), page.get_height())
    return texts, Rules(horizontal, vertical)


def _page_objects(page: pdfium.PdfPage) -> tuple[list[TextObject], Rules]:
    height = page.get_height()
    texts: list[TextObject] = []
    rules = Rules()
    fonts: dict[int | None, bool] = {}
    raw = _handle(page)
    stack = [(_get_object(raw, i), 1) for i in reversed(range(_count_objects(raw)))]
    while stack:
        obj, depth = stack.pop()
        kind = _obj_type(obj)
        if kind == _FORM:
            if depth < 2:
                stack.extend((_form_object(obj, i), depth + 1) for i in reversed(range(_form_count(obj))))
            continue
        if kind == _TEXT:
            texts.append(_text_object(obj, fonts))
            continue
        if kind != _PATH:
            continue
        _obj_bounds(obj, *_F_REFS)
        left, bottom, right, top = _F[0].value, _F[1].value, _F[2].value, _F[3].value
        w, h = right - left, top - bottom
        if h <= 2.5 and w >= 20:
            rules.horizontal.append(((height - top + height - bottom) / 2, left, right))
        elif w <= 2.5 and h >= 6:
            rules.vertical.append(((left + right) / 2, height - top, height - bottom))
    return texts, rules


def _text_object(obj: int, fonts: dict[int | None, bool]) -> TextObject:
    font = _text_font(obj)
    if font not in fonts:
        bold = False
        if font:
            _font_name(font, _NAME, 256)
            bold = b"bold" in _NAME.value.lower() or _font_weight(font) >= 600
        fonts[font] = bold
    _text_font_size(obj, _F_REFS[0])
    return obj, fonts[font], round(_F[0].value, 1)


def page_runs(page: pdfium.PdfPage, texts: list[TextObject]) -> list[Run]:
    """Text runs of a page: geometry from PDFium's text rectangles, text and font as above."""
    height = page.get_height()
    tp = page.get_textpage()
    try:
        raw = _handle(tp)
        n = _count_chars(raw)
        full = tp.get_text_range(0, n) if n else ""
        rects, firsts = geometry(raw, n, texts, full)
        fonts: list[tuple[bool, float] | None]
        if firsts is None:  # each rectangle's first character by a hit test, its font from that
            firsts, fonts = [_first_char(raw, r, n) for r in rects], [None] * len(rects)
        else:
            fonts = [(bold, size) for _, bold, size in texts]
        runs: list[Run] = []
        for i, text in enumerate(run_texts(full, firsts, n)):
            left, bottom, right, top = rect = rects[i]
            if text is None:  # not on one line of the page text: the bounded-text query
                text = clean_text(tp.get_text_bounded(*rect))
            if not text:
                continue
            bold, size = fonts[i] or _char_font(raw, firsts[i], top - bottom)
            runs.append(Run(text, left, right, height - top, height - bottom, bold, size))
        return runs
    finally:
        tp.close()


def geometry(tp: int, n: int, texts: list[TextObject], full: str) -> tuple[list[Rect], list[int] | None]:
    """The page's text rectangles, and the first character of each one's text object where the
    rectangles and the objects pair up (else None)."""
    if compiled is not None:
        return compiled.geometry(tp, n, texts, full)
    return _geometry(tp, n, texts, full)


def _geometry(tp: int, n: int, texts: list[TextObject], full: str) -> tuple[list[Rect], list[int] | None]:
    rects = _rects(tp)
    firsts = _object_starts(tp, texts, n, full) if len(rects) == len(texts) and len(full) == n else None
    if firsts is not None and not _paired(tp, rects, firsts):
        firsts = None
    return rects, firsts


def _rects(tp: int) -> list[Rect]:
    out = []
    for i in range(_count_rects(tp, 0, -1)):
        _get_rect(tp, i, *_D_REFS)  # left, top, right, bottom
        out.append((_D[0].value, _D[3].value, _D[2].value, _D[1].value))
    return out


def _paired(tp: int, rects: list[Rect], firsts: list[int]) -> bool:
    """Does each rectangle hold the first character of its text object (as many of each, in the
    same order)? Then the rectangles and the objects pair up."""
    for (left, bottom, right, top), first in zip(rects, firsts):
        _char_box(tp, first, *_D_REFS)  # left, right, bottom, top
        x, y = (_D[0].value + _D[1].value) / 2, (_D[2].value + _D[3].value) / 2
        if not (left - 2 <= x <= right + 2 and bottom - 2 <= y <= top + 2):
            return False
    return True


def _object_starts(tp: int, texts: list[TextObject], n: int, full: str) -> list[int] | None:
    """The index of each text object's first character. The objects' characters follow one
    another in the text page, with generated spaces and line breaks (no object) between them.
    Most objects start a line: that is checked where the next line break is; the others are
    found by a binary search from the start before. None if any is not where expected."""
    handles = [t[0] for t in texts]
    order = {h: k for k, h in enumerate(handles)}
    end = len(texts)

    def owner(i: int) -> tuple[int, int]:  # (index, object) of the first real character at or after i
        while i < n:
            h = _char_object(tp, i)
            if h:
                return i, order.get(h, -1)
            i += 1
        return n, end

    def search(lo: int, hi: int, k: int) -> int:  # the first index in [lo, hi] whose owner is k or later
        while lo < hi:
            mid = (lo + hi) // 2
            if owner(mid)[1] < k:
                lo = mid + 1
            else:
                hi = mid
        return lo

    starts: list[int] = []
    lo = 0
    for k in range(end):
        start = _after_break(tp, full, lo, handles, k) if k else None
        if start is None:
            # not first on its line: it starts before the next line break (searched first), or later
            brk = full.find("\r\n", lo)
            at = search(lo, brk + 2 if brk >= 0 else n, k)
            start, obj = owner(at)
            if obj != k:
                start, obj = owner(search(at, n, k))
            if obj != k:
                return None
        starts.append(start)
        lo = start + 1
    return starts


def _after_break(tp: int, full: str, lo: int, handles: list[int], k: int) -> int | None:
    """Object k's first character if object k-1 ends just before the next line break and k
    starts just after it (three calls instead of a search)."""
    g = full.find("\r\n", lo)
    if g < 1 or g + 2 >= len(full):
        return None
    if _char_object(tp, g - 1) == handles[k - 1] and _char_object(tp, g + 1) != handles[k] \
            and _char_object(tp, g + 2) == handles[k]:
        return g + 2
    return None


def run_texts(full: str, firsts: list[int], n: int) -> list[str | None]:
    """Each rectangle's text, cleaned (clean_text): the page text from its first character to the
    next rectangle's, without the generated space or line break between them; None where that is
    not one line of text (then the bounded-text query gives it)."""
    if compiled is not None:
        return compiled.run_texts(full, firsts, n)
    return _run_texts(full, firsts, n)


def _run_texts(full: str, firsts: list[int], n: int) -> list[str | None]:
    out: list[str | None] = []
    for i, first in enumerate(firsts):
        end = firsts[i + 1] if i + 1 < len(firsts) else n
        text = full[first:end].rstrip(" \r\n\x02") if 0 <= first < end <= n and len(full) == n else ""
        out.append(None if not text or "\n" in text or "\r" in text else clean_text(text))
    return out


def _first_char(tp: int, rect: Rect, n: int) -> int:
    """The index of the first character inside `rect`: the hit test near its left edge can land
    on a neighbouring word's letter, so step right past characters whose centre is outside."""
    left, bottom, right, top = rect
    idx: int = _char_at(tp, left + 0.5, (top + bottom) / 2, 2.0, 2.0)
    if idx < 0:
        return idx
    for _ in range(4):
        _char_box(tp, idx, *_D_REFS)  # left, right, bottom, top
        if left - 0.5 <= (_D[0].value + _D[1].value) / 2 <= right + 0.5 or idx + 1 >= n:
            break
        idx += 1
    return idx


def _char_font(tp: int, idx: int, height: float) -> tuple[bool, float]:
    if idx < 0:
        return False, round(height, 1)
    _char_font_info(tp, idx, _NAME, 256, _FLAGS_REF)
    bold = b"bold" in _NAME.value.lower() or _char_font_weight(tp, idx) >= 600
    return bold, round(_char_font_size(tp, idx), 1)


Reread = Callable[[pdfium.PdfPage, int, int, list[Run]], "list[Run] | None"]


def read_pdf(path: str, reread: Reread | None = None) -> Iterator[tuple[int, float, list[Run], Rules]]:
    """(page number, page height, text runs, ruling lines) of each page. `reread(page, number,
    pages, runs)`, if given, may read a page another way (OCR): the runs it returns replace the
    text layer's."""
    pdf = pdfium.PdfDocument(path)
    try:
        n = len(pdf)
        for i in range(n):
            page = pdf[i]
            texts, rules = page_objects(page)
            runs = page_runs(page, texts)
            if reread is not None:
                other = reread(page, i + 1, n, runs)
                runs = runs if other is None else other
            yield i + 1, page.get_height(), runs, rules
            page.close()
    finally:
        pdf.close()
