"""A corpus of broken and awkward input files, made on the fly from the bundled seeds.

Each entry: file name -> (bytes, expectation). "fails" files must be refused with a reason and
recorded; "loads" files are awkward but valid and must load with their text intact."""
from __future__ import annotations

import io
import zlib
from pathlib import Path

from pypdf import PdfWriter

RAW = Path(__file__).resolve().parents[1] / "raw"
GOOD_PDF = RAW / "oslo" / "ous-styret-2024-12-19-styresak-98-2024.pdf"
GOOD_TEXT = RAW / "oslo" / "ssu-2025-03-07-referat.txt"


def _writer_bytes(writer: PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def zero_page_pdf() -> bytes:
    return _writer_bytes(PdfWriter())


def blank_page_pdf() -> bytes:
    """A page with no text layer, as a scan without OCR looks to a text extractor."""
    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    return _writer_bytes(w)


def encrypted_pdf(user_password: str) -> bytes:
    w = PdfWriter(clone_from=str(GOOD_PDF))
    w.encrypt(user_password=user_password, owner_password="eier-passord", algorithm="RC4-128")
    return _writer_bytes(w)


def corrupt_xref_pdf() -> bytes:
    data = bytearray(GOOD_PDF.read_bytes())
    at = data.rfind(b"startxref")
    data[at + 10:at + 20] = b"9999999999"
    xref = data.rfind(b"xref", 0, at)
    if xref > 0:
        data[xref:xref + 40] = b"#" * 40
    return bytes(data)


def bomb_pdf(megabytes: int = 1536) -> bytes:
    """One page whose content stream inflates from about 1.5 MB to `megabytes` MiB of spaces."""
    co = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    first = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    middle = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    data = first + middle * (megabytes - 2) + co.compress(chunk) + co.flush()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"]
    return pdf_from_objects(objs)


def pdf_from_objects(objs: list[bytes], header: bytes = b"%PDF-1.7\n") -> bytes:
    """A PDF file of these objects (1 is the catalog), with its cross-reference table and trailer."""
    out = bytearray(header)
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def corpus(include_bomb: bool = True) -> dict[str, tuple[bytes, str]]:
    pdf = GOOD_PDF.read_bytes()
    text = GOOD_TEXT.read_text(encoding="utf-8")
    files: dict[str, tuple[bytes, str]] = {
        "tom.txt": (b"", "fails"),
        "tom.pdf": (b"", "fails"),
        "null-sider.pdf": (zero_page_pdf(), "fails"),
        "avkuttet.pdf": (pdf[: len(pdf) // 3], "fails"),
        "skannet uten tekst.pdf": (blank_page_pdf(), "fails"),
        "kryptert-med-passord.pdf": (encrypted_pdf("hemmelig"), "fails"),
        "ikke-en-pdf.pdf": (b"Dette er et referat, men ikke en PDF.\n", "fails"),
        "søppel.txt": (bytes(range(256)) * 64, "fails"),
        "bare-kontrolltegn.txt": (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 512, "fails"),
        # awkward but valid
        "kryptert-uten-passord.pdf": (encrypted_pdf(""), "loads"),
        "ødelagt xref.pdf": (corrupt_xref_pdf(), "loads"),  # PDFium rebuilds the cross-reference table
        "referat cp1252.txt": (text.encode("cp1252", errors="replace"), "loads"),
        "referat-utf16.txt": (text.encode("utf-16"), "loads"),
        "lange linjer.txt": ((text.replace("\n", " ") * 40 + "\n").encode("utf-8"), "loads"),
        "navn med 'sitat' og \"anførsel\" æøå.txt": ((text + "\n").encode("utf-8"), "loads"),
    }
    if include_bomb:
        files["dekomprimeringsbombe.pdf"] = (bomb_pdf(), "fails")
    return files


def write(folder: Path, include_bomb: bool = True) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (data, expect) in corpus(include_bomb).items():
        (folder / name).write_bytes(data)
        out[name] = expect
    return out
