"""Source pages: where in its PDF a case starts and its decision is, those pages drawn as PNG with
PDFium (once, then kept in the cache), and the PDF itself to open at that page."""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import duckdb
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from .store import Warehouse, connection, warehouse

PAGE_RESOLUTION = 110  # pixels per inch: a page about 900 pixels wide


def _pdf_copy(wh: Warehouse, con: duckdb.DuckDBPyConnection, case_id: str) -> dict[str, Any] | None:
    """The PDF a case was read from (its preferred PDF copy): the file, its hash, the page the case
    starts on and the page of its decision text."""
    row = con.execute("""SELECT f.path, f.sha256, coalesce(s.page, 1), s.decision_page FROM case_sources s
                         JOIN source_files f USING (sha256)
                         WHERE s.case_id = ? AND f.format = 'pdf' ORDER BY s.rank LIMIT 1""", [case_id]).fetchone()
    if not row:
        return None
    path = wh.source(str(row[0]))
    return {"path": path, "source_path": row[0], "sha256": row[1], "page": int(row[2]),
            "decision_page": row[3]} if path else None


def _link(case_id: str, copy: dict[str, Any], page: int, image: str) -> dict[str, Any]:
    return {"page": page, "source_path": copy["source_path"], "image": f"/cases/{case_id}/{image}",
            "file": f"/files/{copy['sha256']}.pdf#page={page}"}


def case_pages(request: Request, con: duckdb.DuckDBPyConnection, case_id: str) -> dict[str, Any]:
    """Links to a case's source page and, where its decision is on another page, to that one."""
    copy = _pdf_copy(warehouse(request), con, case_id)
    if not copy:
        return {}
    out = {"case": _link(case_id, copy, copy["page"], "page.png")}
    if copy["decision_page"] and copy["decision_page"] != copy["page"]:
        out["decision"] = _link(case_id, copy, int(copy["decision_page"]), "decision.png")
    return out


def decision_pages(con: duckdb.DuckDBPyConnection, case_ids: list[str]) -> dict[str, int]:
    """For the cases given, the page of their decision in their preferred PDF where it is not the
    page the case starts on."""
    if not case_ids:
        return {}
    marks = ", ".join("?" for _ in case_ids)
    rows = con.execute(f"""SELECT s.case_id, arg_min(s.decision_page, s.rank), arg_min(s.page, s.rank)
                           FROM case_sources s JOIN source_files f USING (sha256)
                           WHERE s.case_id IN ({marks}) AND f.format = 'pdf' GROUP BY s.case_id""",
                       case_ids).fetchall()
    return {cid: int(dp) for cid, dp, p in rows if dp and dp != p}


def _image(request: Request, which: str) -> Response:
    wh = warehouse(request)
    case_id = request.path_params["case_id"]
    con = connection(request)
    if not con.execute("SELECT 1 FROM cases WHERE case_id = ?", [case_id]).fetchone():
        raise HTTPException(404, f"no case {case_id!r}")
    copy = _pdf_copy(wh, con, case_id)
    if not copy:
        raise HTTPException(404, f"case {case_id!r} has no PDF page to show")
    number = copy["page"] if which == "case" else copy["decision_page"]
    if not number:
        raise HTTPException(404, f"case {case_id!r} has no decision page to show")
    key = hashlib.sha256(f"{copy['sha256']}|{number}|{PAGE_RESOLUTION}".encode()).hexdigest()[:32]
    out = wh.cache / f"{key}.png"
    if not out.exists():
        _draw_page(copy["path"], int(number), out)
    return FileResponse(out, media_type="image/png", headers={"cache-control": "public, max-age=86400"})


def page_image(request: Request) -> Response:
    """The page of the source PDF where a case starts, as PNG."""
    return _image(request, "case")


def decision_image(request: Request) -> Response:
    """The page of the source PDF where a case's decision is, as PNG."""
    return _image(request, "decision")


def source_file(request: Request) -> Response:
    """A source PDF the warehouse holds, named by its hash (a link adds #page=N)."""
    sha = request.path_params["sha256"]
    row = connection(request).execute("SELECT path FROM source_files WHERE sha256 = ? AND format = 'pdf'",
                                      [sha]).fetchone()
    path = warehouse(request).source(str(row[0])) if row else None
    if not row or not path:
        raise HTTPException(404, f"no source PDF {sha!r}")
    return FileResponse(path, media_type="application/pdf", filename=Path(str(row[0])).name,
                        content_disposition_type="inline", headers={"cache-control": "public, max-age=86400"})


def _draw_page(path: Path, number: int, out: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= number <= len(pdf):
            raise HTTPException(404, f"no page {number} in the source PDF")
        page = pdf[number - 1]
        image = page.render(scale=PAGE_RESOLUTION / 72).to_pil()
        page.close()
    finally:
        pdf.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
    image.save(tmp, format="PNG")
    tmp.replace(out)  # a reader sees the whole file or none
