"""A read-only web view of the warehouse: server-rendered HTML (Jinja2 templates, no JavaScript), the
same data as JSON under /api/ and every list as CSV (/meetings.csv, ...). Every page has a stable URL
made of its path and query string; every value a user gives reaches DuckDB as a parameter (data.py,
browse.py). The connection is opened read-only without external access; each request reads through a
connection of its own (store.py)."""
from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import nlp, render
from . import data, pages, params
from .store import OpenConnections, Warehouse

HERE = Path(__file__).resolve().parent

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
                                 b"base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the security headers to every response (pages, JSON, CSV, images, errors)."""

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


# --- responses -----------------------------------------------------------------------------------

def _page(request: Request, template: str, content: dict[str, Any]) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, {"data": content, "known": params.known_values(request),
                                                          "outcomes": params.OUTCOMES})


def _csv(rows: list[dict[str, Any]], name: str) -> Response:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    columns = list(rows[0]) if rows else []
    w.writerow(columns)
    for r in rows:
        w.writerow([render.csv_cell(r[c]) for c in columns])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'inline; filename="{name}.csv"'})


def view(template: str, make: Callable[..., dict[str, Any]], key: str | None = None,
         rows: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None) -> Callable[[Request], Response]:
    """An endpoint answering HTML at /x, JSON at /api/x and, for a list (`rows`), CSV at /x.csv."""
    def endpoint(request: Request) -> Response:
        content = make(request, request.path_params[key]) if key else make(request)
        path = request.url.path
        if path.endswith(".csv") and rows:
            return _csv(rows(content), template.removesuffix(".html"))
        if path.startswith("/api/"):
            return JSONResponse(content)
        return _page(request, template, content)
    return endpoint


def _results(content: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = content["results"]
    return out


def _topic_rows(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"topic": t["topic"], "year": y["year"], "cases": y["cases"]}
            for t in content["topics"] for y in t["years"]]


async def error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    if request.url.path.startswith("/api/") or request.url.path.endswith(".csv"):
        return JSONResponse({"error": detail, "status": code}, status_code=code, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {"code": code, "detail": detail}, status_code=code,
                                      headers=headers)


def static(name: str, media_type: str, max_age: int) -> Callable[[Request], Response]:
    def endpoint(request: Request) -> Response:
        return FileResponse(HERE / "static" / name, media_type=media_type,
                            headers={"cache-control": f"public, max-age={max_age}"})
    return endpoint


# --- template helpers ------------------------------------------------------------------------------

def highlight(snippet: str | None, terms: list[str]) -> Markup:
    """The snippet, escaped, with the words whose stem is a search term in <mark>."""
    wanted = set(terms)
    out = []
    for word in (snippet or "").split(" "):
        stems = nlp.terms(word) if wanted else []
        out.append(Markup("<mark>{}</mark>").format(word) if stems and stems[0] in wanted else escape(word))
    return Markup(" ").join(out)


def _merge_without(base: dict[str, Any], more: dict[str, Any], skip: str) -> dict[str, Any]:
    """`base` with the entries of `more` but `skip` (a link that changes or drops one filter)."""
    return {**base, **{k: v for k, v in more.items() if k != skip}}


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["dict_merge_without"] = _merge_without
    templates.env.filters["dict_set"] = lambda d, k, v: {**d, k: v}
    templates.env.filters["highlight"] = highlight
    return templates


# --- the app -------------------------------------------------------------------------------------

LISTS = [  # path, template, data, rows for CSV
    ("/search", "search.html", data.search_data),
    ("/meetings", "meetings.html", data.meetings_data),
    ("/decisions", "decisions.html", data.decisions_data),
    ("/people", "people.html", data.people_data),
    ("/organisations", "organisations.html", data.organisations_data),
]
ITEMS = [  # path, template, data, path parameter
    ("/meetings/{meeting_id}", "meeting.html", data.meeting_data, "meeting_id"),
    ("/cases/{case_id}", "case.html", data.case_data, "case_id"),
    ("/people/{person_id:path}", "person.html", data.person_data, "person_id"),
    ("/organisations/{name:path}", "organisation.html", data.organisation_data, "name"),
]


def routes() -> list[Route]:
    out = [Route("/", view("home.html", data.home_data)),
           Route("/cases/{case_id}/page.png", pages.page_image),
           Route("/cases/{case_id}/decision.png", pages.decision_image),
           Route("/files/{sha256}.pdf", pages.source_file),
           Route("/static/style.css", static("style.css", "text/css", 3600)),
           Route("/static/favicon.svg", static("favicon.svg", "image/svg+xml", 86400)),
           Route("/favicon.ico", static("favicon.svg", "image/svg+xml", 86400))]
    for path, template, make in LISTS:
        endpoint = view(template, make, rows=_results)
        out += [Route(path, endpoint), Route(f"/api{path}", endpoint), Route(f"{path}.csv", endpoint)]
    topics = view("topics.html", data.topics_data, rows=_topic_rows)
    out += [Route("/topics", topics), Route("/api/topics", topics), Route("/topics.csv", topics)]
    quality = view("quality.html", data.quality_data)
    out += [Route("/quality", quality), Route("/api/quality", quality)]
    for path, template, item, key in ITEMS:  # after the .csv routes: /people/{id:path} would take them
        endpoint = view(template, item, key)
        out += [Route(path, endpoint), Route(f"/api{path}", endpoint)]
    return out


def create_app(db: Path, root: Path | None = None, cache: Path | None = None) -> Starlette:
    """The web app over the warehouse `db`; source paths are taken relative to `root` (the folder the
    build ran in: the current one by default); page images are kept in `cache`."""
    db = Path(db)
    wh = Warehouse(db, Path(root) if root else Path.cwd(), Path(cache) if cache else db.parent / "page-images")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        wh.shared.stop()  # the watcher ends and the warehouse is let go with the server

    app = Starlette(routes=routes(), middleware=[Middleware(SecurityHeaders), Middleware(OpenConnections)],
                    exception_handlers={HTTPException: error, 500: error}, lifespan=lifespan)
    app.state.warehouse = wh
    app.state.templates = _templates()
    app.state.facets = data.FacetCache()
    return app
