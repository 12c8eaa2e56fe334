"""A small scanned fixture of our own, made on the fly: minutes written here are typeset as a
born-digital PDF (Helvetica, no fonts needed), drawn by PDFium at 200 dpi, skewed, blurred,
speckled on greyish paper and saved as JPEG inside image-only PDF pages, as a copier does.

Variants for the text-layer decision: the scan with an invisible text layer that is junk (as a
poor copier OCR leaves it) or good (as OCR software leaves it), and a mixed PDF of born-digital
and scanned pages.

    python tests/scanned.py OUT_DIR   # writes every variant there, to look at"""
from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

from badfiles import pdf_from_objects

# (x, y from the top, size, bold, text) per page: two pages of minutes
PAGES: list[list[tuple[float, float, float, bool, str]]] = [
    [
        (60, 80, 15, True, "Referat fra møte i Strategisk samarbeidsutvalg (SSU)"),
        (60, 112, 11, False, "Møtedato: 14.03.2013 kl. 09.00 - 11.30"),
        (60, 130, 11, False, "Sted: Rådhuset, møterom 3"),
        (60, 148, 11, False, "Møteleder: Kari Nordmann"),
        (60, 166, 11, False, "Referent: Ola Hansen"),
        (60, 204, 11, True, "Navn"), (200, 204, 11, True, "Virksomhet"), (400, 204, 11, True, "Tilstede"),
        (470, 204, 11, True, "Forfall"),
        (60, 222, 11, False, "Kari Nordmann"), (200, 222, 11, False, "Oslo kommune"), (420, 222, 11, False, "X"),
        (60, 240, 11, False, "Per Olsen"), (200, 240, 11, False, "Lovisenberg sykehus"),
        (488, 240, 11, False, "X"),
        (60, 258, 11, False, "Anne Berg"), (200, 258, 11, False, "Oslo universitetssykehus"),
        (420, 258, 11, False, "X"),
        (60, 276, 11, False, "Jon Dahl"), (200, 276, 11, False, "Bydel Grorud"), (420, 276, 11, False, "X"),
        (60, 316, 11, True, "Sak 12/13 Godkjenning av innkalling og saksliste"),
        (60, 336, 11, False, "Innkalling og saksliste ble gjennomgått uten merknader."),
        (60, 360, 11, False, "Vedtak: Innkalling og saksliste godkjennes."),
        (60, 398, 11, True, "Sak 13/13 Utskrivningsklare pasienter"),
        (60, 418, 11, False, "Kommunen og sykehuset orienterte om ventetiden for utskrivningsklare"),
        (60, 434, 11, False, "pasienter i januar og februar. Partene er enige om felles rutiner for varsling."),
        (60, 458, 11, False, "Vedtak: SSU slutter seg til forslaget om felles rutiner for varsling."),
        (290, 800, 10, False, "Side 1 av 2"),
    ],
    [
        (60, 80, 11, True, "Sak 14/13 Økonomisk rapport for fjerde kvartal"),
        (60, 100, 11, False, "Økonomisjefen la fram rapporten. Samlet forbruk er innenfor rammen."),
        (60, 124, 11, False, "Vedtak: SSU tar rapporten til orientering."),
        (60, 162, 11, True, "Sak 15/13 Eventuelt"),
        (60, 182, 11, False, "Neste møte holdes 23. mai 2013 på Rådhuset."),
        (290, 800, 10, False, "Side 2 av 2"),
    ],
]
JUNK = "l'lrl4 ,_ ;l1tl ¦¦ ~:| `iI1 ;;l' ,.-' 1l|l !!l ¡I1' l'l ~~"
A4 = (595, 842)


def _escape(text: str) -> bytes:
    return text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _text_ops(items: list[tuple[float, float, float, bool, str]], invisible: bool = False) -> bytes:
    ops = [b"BT", b"3 Tr" if invisible else b"0 Tr"]
    for x, y, size, bold, text in items:
        ops.append(b"/%s %.1f Tf 1 0 0 1 %.2f %.2f Tm (%s) Tj"
                   % (b"F2" if bold else b"F1", size, x, A4[1] - y, _escape(text)))
    ops.append(b"ET")
    return b"\n".join(ops)


def build_pdf(pages: list[tuple[bytes, bytes | None]]) -> bytes:
    """A PDF of A4 pages, each (content stream, JPEG of the whole page or None); the fonts are
    Helvetica and Helvetica-Bold with WinAnsiEncoding (æøå), which every reader has."""
    objs: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    fonts = (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
             b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    objs += fonts
    kids = []
    for content, jpeg in pages:
        resources = b"/Font << /F1 3 0 R /F2 4 0 R >>"
        if jpeg is not None:
            img = Image.open(io.BytesIO(jpeg))
            objs.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n" % (*img.size, len(jpeg))
                        + jpeg + b"\nendstream")
            resources += b" /XObject << /Im0 %d 0 R >>" % len(objs)
            content = b"q %d 0 0 %d 0 0 cm /Im0 Do Q\n" % A4 + content
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << %s >> /Contents %d 0 R >>"
                    % (*A4, resources, len(objs)))
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return pdf_from_objects(objs, header=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")


def digital_pdf() -> bytes:
    return build_pdf([(_text_ops(items), None) for items in PAGES])


def scan(pdf: bytes, number: int, skew: float, seed: int, dpi: int = 200, blur: float = 0.7, noise: float = 3.0,
         specks: float = 0.0015, quality: int = 72) -> bytes:
    """Page `number` (from 0) drawn at `dpi` in grey, turned by `skew` degrees, blurred, with
    noise and specks on greyish paper, as a JPEG."""
    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[number].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(blur))
    rng = np.random.default_rng(seed)
    arr = np.asarray(image).astype(np.float32) * 0.93  # greyish paper, slightly faded ink
    arr += rng.normal(0, noise, arr.shape)
    dots = rng.random(arr.shape) < specks
    arr[dots] = rng.uniform(40, 160, int(dots.sum()))
    out = io.BytesIO()
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), mode="L").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def scans(hard: bool = False) -> list[bytes]:
    """The two pages scanned; `hard`: a worse copy (more skew, blur, noise and specks, JPEG 50)."""
    pdf = digital_pdf()
    if hard:
        return [scan(pdf, 0, 1.6, 1, blur=1.1, noise=8, specks=0.004, quality=50),
                scan(pdf, 1, -1.2, 2, blur=1.1, noise=8, specks=0.004, quality=50)]
    return [scan(pdf, 0, 0.8, 1), scan(pdf, 1, -0.6, 2)]


def scanned_pdf(layer: str | None = None, hard: bool = False) -> bytes:
    """The scanned minutes; `layer`: "junk" or "good" adds an invisible text layer of that kind."""
    pages = []
    for items, jpeg in zip(PAGES, scans(hard)):
        if layer == "junk":
            content = _text_ops([(60, 80 + 20 * k, 11, False, JUNK) for k in range(8)], invisible=True)
        elif layer == "good":
            content = _text_ops(items, invisible=True)
        else:
            content = b""
        pages.append((content, jpeg))
    return build_pdf(pages)


def mixed_pdf() -> bytes:
    """Page 1 born-digital, page 2 scanned."""
    return build_pdf([(_text_ops(PAGES[0]), None), (b"", scans()[1])])


def text() -> str:
    """The minutes' text, line by line, without the page footers (what the reading keeps)."""
    rows: dict[tuple[int, float], list[str]] = {}
    for n, items in enumerate(PAGES):
        for _, y, _, _, t in items:
            if y < 780:
                rows.setdefault((n, y), []).append(t)
    return "\n".join(" ".join(parts) for _, parts in sorted(rows.items()))


def write(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"digital": digital_pdf(), "scanned": scanned_pdf(), "hard": scanned_pdf(hard=True),
             "junk-layer": scanned_pdf("junk"),
             "good-layer": scanned_pdf("good"), "mixed": mixed_pdf()}
    out = {}
    for name, data in files.items():
        out[name] = folder / f"referat-{name}.pdf"
        out[name].write_bytes(data)
    return out


if __name__ == "__main__":
    for name, path in write(Path(sys.argv[1])).items():
        print(name, path, path.stat().st_size)
