"""Stage 1: a file under raw/ -> SourceFile (content hash, format, partnership, page count)."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from ..errors import IngestError
from ..models import SourceFile

TEXT_SUFFIXES = {".txt", ".md", ".text"}
SUFFIXES = TEXT_SUFFIXES | {".pdf"}


FILE_SECONDS = 120.0  # a file's time limit unless told otherwise (`minutes build --timeout`): hashing and reading


HASHING_TIMED_OUT = "exceeded while hashing the file"  # in the reason; the plan finds such files by it


def sha256_of(path: Path, seconds: float | None = None) -> str:
    """The file's content hash; TimeoutError once hashing has taken `seconds` (a huge or endless
    file must not hold a build up)."""
    h = hashlib.sha256()
    deadline = None if seconds is None else time.monotonic() + seconds
    read = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            read += len(chunk)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"time limit of {seconds:.0f} s {HASHING_TIMED_OUT} "
                                   f"({read / 2**30:.1f} GiB read of {path.stat().st_size / 2**30:.1f} GiB)")
    return h.hexdigest()


def partnership_of(path: Path, raw_root: Path | None) -> str:
    """The first folder under raw/ names the partnership; without a root, the parent folder."""
    if raw_root is not None:
        try:
            # the folder the path (a link, perhaps) is in, not its target's
            rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(raw_root))
            if len(rel.parts) > 1:
                return rel.parts[0].casefold()
        except ValueError:
            pass
    return path.resolve().parent.name.casefold() or "unknown"


def format_of(path: Path, head: bytes) -> str:
    if head.startswith(b"%PDF") or (path.suffix.lower() == ".pdf" and b"%PDF" in head[:1024]):
        return "pdf"
    if path.suffix.lower() == ".pdf":
        raise IngestError("named .pdf but is not a PDF (no %PDF header)")
    return "md" if path.suffix.lower() == ".md" else "txt"


def run(path: Path, raw_root: Path | None = None, sha256: str | None = None) -> SourceFile:
    """`sha256` when the caller has already hashed the file (a build plans by hash)."""
    path = Path(path)
    if not path.is_file():
        raise IngestError("not a file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty file")
    with path.open("rb") as f:
        head = f.read(4096)
    fmt = format_of(path, head)
    pages = count_pdf_pages(path) if fmt == "pdf" else 0
    return SourceFile(path=str(path), sha256=sha256 or sha256_of(path), format=fmt,
                      partnership=partnership_of(path, raw_root), size=size, pages=pages)


PDFIUM_REASONS = {
    "password": "encrypted PDF: it needs a password to open",
    "format": "damaged PDF: truncated or not a valid PDF structure",
    "security": "encrypted PDF with an unsupported security handler",
    "file": "cannot open the PDF file",
    "success": "PDF without a readable page tree (no pages)",
}


def count_pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium  # here: the build process hashes files with this module, and reads none

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise IngestError(_pdfium_reason(str(exc))) from exc
    try:
        n = len(pdf)
    finally:
        pdf.close()
    if n == 0:
        raise IngestError("PDF has no pages")
    return n


def _pdfium_reason(message: str) -> str:
    """PDFium's load errors ('Failed to load document (PDFium: Incorrect password error).') in words."""
    low = message.casefold()
    for key, reason in PDFIUM_REASONS.items():
        if key in low:
            return reason
    return f"unreadable PDF ({message})"
