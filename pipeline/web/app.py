"""A read-only web view of the warehouse: server-rendered HTML (Jinja2 templates, no JavaScript)
and the same data as JSON under /api/. Every page has a stable URL made of its path and query
string; every value a user gives reaches DuckDB as a parameter (the query functions in
warehouse/queries.py, or a parameterised statement here). The connection is opened read-only
without external access; each request reads through a cursor of its own."""
from __future__ import annotations

import hashlib
import os
import threading
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import render
from ..warehouse import queries

HERE = Path(__file__).resolve().parent
OUTCOMES = ("approved", "noted", "postponed", "rejected", "other")
PAGE_RESOLUTION = 110  # pixels per inch: a page about 900 pixels wide
MAX_LIMIT = 500
FACETS = ("partnership", "body", "topic", "outcome")

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
                                 b"base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the security headers to every response (pages, JSON, images, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Warehouse:
    """The warehouse file, the root that source paths are relative to, the page-image cache. A request
    opens its own read-only connection and closes it when answered (see `connection`), so that
    between requests a build can take the warehouse, and the next request reads what it committed."""

    def __init__(self, db: Path, root: Path, cache: Path) -> None:
        self.db, self.root, self.cache = db, root, cache
        queries.connect(db).close()  # a missing or outdated warehouse is said at start


class OpenConnections:
    """Closes the connection a request opened (`connection`) once its response has been sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            con = scope.get("state", {}).pop("con", None)
            if con is not None:
                con.close()


def connection(request: Request) -> duckdb.DuckDBPyConnection:
    """The request's read-only connection, opened at its first use; 503 while a build writes."""
    con: duckdb.DuckDBPyConnection | None = getattr(request.state, "con", None)
    if con is None:
        try:
            con = queries.connect(_wh(request).db)
        except queries.OutdatedWarehouse as exc:  # damaged or of an earlier layout: the next build mends it
            raise HTTPException(503, str(exc)) from exc
        except duckdb.Error as exc:
            if "lock" in str(exc).casefold():
                raise HTTPException(503, "a build is writing the warehouse; try again when it has finished",
                                    headers={"retry-after": "5"}) from exc
            raise
        request.state.con = con
    return con


def _known_values(request: Request) -> dict[str, list[str]]:
    known: dict[str, list[str]] | None = getattr(request.state, "known", None)
    if known is None:
        known = request.state.known = queries.known_values(connection(request))
    return known


# --- user values -------------------------------------------------------------------------------

def _bad(message: str) -> HTTPException:
    return HTTPException(400, message)


def _known(request: Request, name: str, value: str | None) -> str | None:
    if not value:
        return None
    if value.casefold() not in {k.casefold() for k in _known_values(request)[name]}:
        raise _bad(f"unknown {name} {value!r}")
    return value


def _day(name: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise _bad(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


def _int(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except ValueError:
        raise _bad(f"{name}: not a whole number: {value!r}") from None
    if not low <= n <= high:
        raise _bad(f"{name}: {n} is not between {low} and {high}")
    return n


def _filters(request: Request, limit: int | None) -> queries.Filters:
    q = request.query_params
    since, until = _day("since", q.get("since")), _day("until", q.get("until"))
    if since and until and since > until:
        raise _bad("since is after until")
    return queries.Filters(_known(request, "partnership", q.get("partnership")),
                           _known(request, "body", q.get("body")), since, until,
                           _known(request, "topic", q.get("topic")), limit)


def _outcome(request: Request) -> str | None:
    value = request.query_params.get("outcome") or None
    if value and value not in OUTCOMES:
        raise _bad(f"unknown outcome {value!r}; known: {', '.join(OUTCOMES)}")
    return value


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


# --- data ----------------------------------------------------------------------------------------

def search_data(request: Request) -> dict[str, Any]:
    """The CLI's search over every hit (for the facet counts), narrowed by outcome, then one page."""
    qp = request.query_params
    text = (qp.get("q") or "").strip()
    if len(text) > 500:
        raise _bad("q: longer than 500 characters")
    f = _filters(request, None)
    outcome = _outcome(request)
    limit = _int("limit", qp.get("limit"), 20, 1, MAX_LIMIT)
    offset = _int("offset", qp.get("offset"), 0, 0, 10**9)
    hits: list[dict[str, Any]] = []
    if text:
        hits = render.records(queries.search(connection(request), text, f))
    facets: dict[str, list[tuple[str, int]]] = {}
    for name in FACETS:
        counts: Counter[str] = Counter()
        for h in hits:
            values = h.get(name + "s") if name == "topic" else [h.get(name)]
            counts.update(v for v in (values or []) if v)
        facets[name] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if outcome:
        hits = [h for h in hits if h.get("outcome") == outcome]
    return {"q": text, "filters": _given(request), "total": len(hits), "offset": offset, "limit": limit,
            "results": hits[offset:offset + limit], "facets": {k: [{"value": v, "count": n} for v, n in c]
                                                                for k, c in facets.items()}}


def _given(request: Request) -> dict[str, str]:
    keys = ("partnership", "body", "topic", "outcome", "since", "until")
    return {k: v for k in keys if (v := request.query_params.get(k))}


def meetings_data(request: Request) -> dict[str, Any]:
    qp = request.query_params
    limit = _int("limit", qp.get("limit"), 100, 1, MAX_LIMIT)
    df = queries.meetings(connection(request), _filters(request, limit))
    rows = render.records(df)
    for r in rows:
        r["meeting_id"] = f"{r['partnership']}|{r['body']}|{r['meeting_date']}"
    return {"filters": _given(request), "total": df.attrs["total"], "results": rows}


def meeting_data(request: Request, meeting_id: str) -> dict[str, Any]:
    con = connection(request)
    found = queries._records(con, "SELECT * FROM meetings WHERE meeting_id = ?", [meeting_id])
    if not found:
        # the list names a meeting by its body's abbreviation; the key may hold the full name
        found = queries._records(con, """SELECT * FROM meetings WHERE partnership || '|' ||
                                          coalesce(body_abbrev, body) || '|' || meeting_date = ?""", [meeting_id])
    if not found:
        # documents with a meeting key but no minutes or notice (a board's case papers): their header
        found = queries._records(con, """SELECT meeting_id, partnership, body, body_abbrev, meeting_date, start_time,
                                                end_time, location, chair, minute_taker
                                         FROM documents WHERE meeting_id = ? ORDER BY doc_type, doc_id LIMIT 1""",
                                 [meeting_id])
    if not found:
        raise HTTPException(404, f"no meeting {meeting_id!r}")
    meeting = found[0]
    mid = meeting["meeting_id"]
    documents = queries._records(con, """SELECT doc_id, doc_type, organization, n_cases, n_attendees, page_start,
                                                page_end, source_path, copies, sources
                                         FROM documents WHERE meeting_id = ? ORDER BY doc_type, doc_id""", [mid])
    attendees = queries._records(con, """SELECT a.name, a.organization, a.title, a.status, a.note, a.deputy_for,
                                                d.doc_type
                                         FROM attendees a JOIN documents d USING (doc_id)
                                         WHERE d.meeting_id = ? ORDER BY d.doc_type, a.doc_id, a.seq""", [mid])
    cases = queries._records(con, """SELECT c.case_id, c.doc_type, c.number, c.title, c.outcome, c.page,
                                            c.source_path, dc.label, dc.text AS decision, dc.proposed
                                     FROM cases c LEFT JOIN decisions dc USING (case_id)
                                     WHERE c.meeting_id = ? ORDER BY c.doc_type, c.doc_id, c.number_sort, c.seq""",
                             [mid])
    out: dict[str, Any] = render.plain({"meeting": meeting, "documents": documents, "attendees": attendees,
                                        "cases": cases})
    return out


def case_data(request: Request, case_id: str) -> dict[str, Any]:
    con = connection(request)
    if not con.execute("SELECT 1 FROM cases WHERE case_id = ?", [case_id]).fetchone():
        raise HTTPException(404, f"no case {case_id!r}")
    shown: dict[str, Any] = render.plain(queries.show(con, case_id))
    pdf = _case_pdf(_wh(request), con, case_id)
    shown["page_image"] = bool(pdf)
    return shown


def _case_pdf(wh: Warehouse, con: duckdb.DuckDBPyConnection, case_id: str) -> tuple[Path, int, str] | None:
    """The PDF a case was read from (its preferred PDF copy), the page it starts on and the file's hash."""
    row = con.execute("""SELECT f.path, coalesce(s.page, 1), f.sha256 FROM case_sources s
                         JOIN source_files f USING (sha256)
                         WHERE s.case_id = ? AND f.format = 'pdf' ORDER BY s.rank LIMIT 1""", [case_id]).fetchone()
    if not row:
        return None
    path = Path(row[0])
    path = path if path.is_absolute() else wh.root / path
    return (path, int(row[1]), str(row[2])) if path.is_file() else None


def decisions_data(request: Request) -> dict[str, Any]:
    qp = request.query_params
    limit = _int("limit", qp.get("limit"), 100, 1, MAX_LIMIT)
    taken_only = qp.get("taken_only") in ("1", "true", "on")
    df = queries.decisions(connection(request), _filters(request, limit), _outcome(request), not taken_only)
    return {"filters": _given(request) | ({"taken_only": "1"} if taken_only else {}),
            "total": df.attrs["total"], "results": render.records(df)}


def quality_data(request: Request) -> dict[str, Any]:
    con = connection(request)
    kinds = queries._records(con, "SELECT kind, count(*) AS n FROM data_quality GROUP BY kind ORDER BY n DESC, kind",
                             [])
    rows = queries._records(con, """SELECT q.doc_id, q.case_id, q.item, q.item_name, q.field, q.kind, q.kept_value,
                                           q.kept_source, q.other_value, q.other_source
                                    FROM data_quality q ORDER BY q.kind, q.doc_id, q.item_name, q.field""", [])
    errors = queries._records(con, "SELECT * FROM load_errors ORDER BY 1", [])
    ocr = queries._records(con, """SELECT path, pages, ocr_pages FROM source_files WHERE coalesce(ocr_pages, 0) > 0
                                   ORDER BY path""", [])
    counts = queries._records(con, """SELECT (SELECT count(*) FROM source_files) AS files,
                                             (SELECT count(*) FROM documents) AS documents,
                                             (SELECT count(*) FROM cases) AS cases,
                                             (SELECT count(*) FROM decisions) AS decisions,
                                             (SELECT count(*) FROM attendees) AS attendees,
                                             (SELECT count(*) FROM cases WHERE title IS NULL) AS cases_without_title,
                                             (SELECT count(*) FROM documents WHERE meeting_date IS NULL)
                                                 AS documents_without_date""", [])[0]
    out: dict[str, Any] = render.plain({"counts": counts, "kinds": kinds, "disagreements": rows,
                                        "load_errors": errors, "ocr_files": ocr})
    return out


# --- endpoints -----------------------------------------------------------------------------------

def _wh(request: Request) -> Warehouse:
    wh: Warehouse = request.app.state.warehouse
    return wh


def _page(request: Request, template: str, data: dict[str, Any]) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, {"data": data, "known": _known_values(request),
                                                          "outcomes": OUTCOMES})


def _respond(request: Request, template: str, data: dict[str, Any]) -> Response:
    return JSONResponse(data) if _wants_json(request) else _page(request, template, data)


async def home(request: Request) -> Response:
    con = connection(request)
    counts = queries._records(con, """SELECT (SELECT count(*) FROM meetings) AS meetings,
                                             (SELECT count(*) FROM cases) AS cases,
                                             (SELECT count(*) FROM decisions) AS decisions,
                                             (SELECT count(*) FROM documents) AS documents""", [])[0]
    return _page(request, "home.html", {"counts": counts})


def search_page(request: Request) -> Response:
    return _respond(request, "search.html", search_data(request))


def meetings_page(request: Request) -> Response:
    return _respond(request, "meetings.html", meetings_data(request))


def meeting_page(request: Request) -> Response:
    return _respond(request, "meeting.html", meeting_data(request, request.path_params["meeting_id"]))


def case_page(request: Request) -> Response:
    return _respond(request, "case.html", case_data(request, request.path_params["case_id"]))


def decisions_page(request: Request) -> Response:
    return _respond(request, "decisions.html", decisions_data(request))


def quality_page(request: Request) -> Response:
    return _respond(request, "quality.html", quality_data(request))


def page_image(request: Request) -> Response:
    """The page of the source PDF where a case starts, as PNG, drawn once and then kept in the cache."""
    wh = _wh(request)
    case_id = request.path_params["case_id"]
    con = connection(request)
    if not con.execute("SELECT 1 FROM cases WHERE case_id = ?", [case_id]).fetchone():
        raise HTTPException(404, f"no case {case_id!r}")
    pdf = _case_pdf(wh, con, case_id)
    if not pdf:
        raise HTTPException(404, f"case {case_id!r} has no PDF page to show")
    path, number, sha = pdf
    key = hashlib.sha256(f"{sha}|{number}|{PAGE_RESOLUTION}".encode()).hexdigest()[:32]
    out = wh.cache / f"{key}.png"
    if not out.exists():
        _draw_page(path, number, out)
    return FileResponse(out, media_type="image/png", headers={"cache-control": "public, max-age=86400"})


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


def stylesheet(request: Request) -> Response:
    return FileResponse(HERE / "static" / "style.css", media_type="text/css",
                        headers={"cache-control": "public, max-age=3600"})


def favicon(request: Request) -> Response:
    return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml",
                        headers={"cache-control": "public, max-age=86400"})


async def error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    if _wants_json(request):
        return JSONResponse({"error": detail, "status": code}, status_code=code, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {"code": code, "detail": detail}, status_code=code,
                                      headers=headers)


def _merge_without(base: dict[str, Any], more: dict[str, Any], skip: str) -> dict[str, Any]:
    """`base` with the entries of `more` but `skip` (a link that changes or drops one filter)."""
    return {**base, **{k: v for k, v in more.items() if k != skip}}


def create_app(db: Path, root: Path | None = None, cache: Path | None = None) -> Starlette:
    """The web app over the warehouse `db`; source paths are taken relative to `root` (the folder the
    build ran in: the current one by default); page images are kept in `cache`."""
    db = Path(db)
    wh = Warehouse(db, Path(root) if root else Path.cwd(), Path(cache) if cache else db.parent / "page-images")
    routes = [
        Route("/", home),
        Route("/search", search_page),
        Route("/meetings", meetings_page),
        Route("/meetings/{meeting_id}", meeting_page),
        Route("/cases/{case_id}", case_page),
        Route("/cases/{case_id}/page.png", page_image),
        Route("/decisions", decisions_page),
        Route("/quality", quality_page),
        Route("/api/search", search_page),
        Route("/api/meetings", meetings_page),
        Route("/api/meetings/{meeting_id}", meeting_page),
        Route("/api/cases/{case_id}", case_page),
        Route("/api/decisions", decisions_page),
        Route("/api/quality", quality_page),
        Route("/static/style.css", stylesheet),
        Route("/static/favicon.svg", favicon),
        Route("/favicon.ico", favicon),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders), Middleware(OpenConnections)],
                    exception_handlers={HTTPException: error, 500: error})
    app.state.warehouse = wh
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["dict_merge_without"] = _merge_without
    templates.env.filters["dict_set"] = lambda d, k, v: {**d, k: v}
    app.state.templates = templates
    return app
