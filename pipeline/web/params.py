"""The values a request gives (query string and path), checked: a value that is not one the warehouse
knows, not a date or out of range is refused with 400 and a message naming it."""
from __future__ import annotations

from datetime import date
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..warehouse import queries
from .browse import Page
from .store import connection, warehouse

OUTCOMES = ("approved", "noted", "postponed", "rejected", "other")
MAX_LIMIT = 500
MAX_CSV_LIMIT = 100_000
MAX_TEXT = 500
# the filters a list page keeps in its links, in this order
FILTER_KEYS = ("partnership", "body", "topic", "year", "outcome", "doc_type", "since", "until", "name",
               "organisation", "taken_only")


def version(request: Request) -> tuple[int, int, int]:
    """The warehouse file's version as the file system tells it (a build changes it): what the
    answers kept between requests are kept for."""
    st = warehouse(request).db.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def known_values(request: Request) -> dict[str, list[str]]:
    """What the filters can name (queries.known_values), read once per version of the warehouse file:
    a build that changes it is seen at the next request."""
    known: dict[str, list[str]] | None = getattr(request.state, "known", None)
    if known is None:
        now = version(request)
        cached = getattr(request.app.state, "known", None)
        if cached and cached[0] == now:
            known = cached[1]
        else:
            known = queries.known_values(connection(request))
            request.app.state.known = (now, known)
        request.state.known = known
    return known


def bad(message: str) -> HTTPException:
    return HTTPException(400, message)


def known(request: Request, name: str, value: str | None) -> str | None:
    if not value:
        return None
    if value.casefold() not in {k.casefold() for k in known_values(request)[name]}:
        raise bad(f"unknown {name} {value!r}")
    return value


def day(name: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise bad(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


def whole(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except ValueError:
        raise bad(f"{name}: not a whole number: {value!r}") from None
    if not low <= n <= high:
        raise bad(f"{name}: {n} is not between {low} and {high}")
    return n


def text(request: Request, name: str) -> str | None:
    value = (request.query_params.get(name) or "").replace("\x00", "").strip()
    if len(value) > MAX_TEXT:
        raise bad(f"{name}: longer than {MAX_TEXT} characters")
    return value or None


def filters(request: Request) -> queries.Filters:
    """Partnership, body, topic, year and dates; a year is the dates of that year (within since and until)."""
    q = request.query_params
    since, until = day("since", q.get("since")), day("until", q.get("until"))
    year = q.get("year")
    if year:
        y = whole("year", year, 0, 1900, 2100)
        since = max(since or "", f"{y:04d}-01-01")
        until = min(until or "9999", f"{y:04d}-12-31")
    if since and until and since > until:
        raise bad("since is after until" + (" (or outside the year)" if year else ""))
    return queries.Filters(known(request, "partnership", q.get("partnership")),
                           known(request, "body", q.get("body")), since, until,
                           known(request, "topic", q.get("topic")), None)


def outcome(request: Request) -> str | None:
    value = request.query_params.get("outcome") or None
    if value and value not in OUTCOMES:
        raise bad(f"unknown outcome {value!r}; known: {', '.join(OUTCOMES)}")
    return value


def doc_type(request: Request) -> str | None:
    return known(request, "doc_type", request.query_params.get("doc_type"))


def page(request: Request, default: int = 100) -> Page:
    """Offset and limit; a CSV list may be longer than a page."""
    q = request.query_params
    high = MAX_CSV_LIMIT if request.url.path.endswith(".csv") else MAX_LIMIT
    return Page(whole("offset", q.get("offset"), 0, 0, 10**9), whole("limit", q.get("limit"), default, 1, high))


def given(request: Request) -> dict[str, str]:
    """The filters the request gave, as given: what a page's links keep."""
    return {k: v for k in FILTER_KEYS if (v := request.query_params.get(k))}


def paging(rows: list[Any], total: int, p: Page) -> dict[str, int]:
    """Where a page is in its list: 'showing first-last of total'."""
    return {"offset": p.offset, "limit": p.limit, "total": total,
            "first": p.offset + 1 if rows else 0, "last": p.offset + len(rows)}
