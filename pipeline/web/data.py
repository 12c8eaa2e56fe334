"""What each page shows, as plain data: the HTML page renders it, /api/ returns it as JSON, a list's
.csv its rows. Every value a user gives is checked (params.py) and reaches DuckDB as a parameter."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import duckdb
from starlette.exceptions import HTTPException
from starlette.requests import Request

from .. import derive, nlp, render
from ..warehouse import queries
from ..warehouse.queries import _records
from . import browse, chart, pages, params
from .store import connection

SEARCH_PAGE = 20
FACETS_KEPT = 256  # facet counts of the latest searches, for their next pages and narrowings


class FacetCache:
    """Facet counts by warehouse version and search (words, filters): the next page of a search
    only runs the search itself."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[Any, ...], tuple[dict[str, list[dict[str, Any]]], int]] = OrderedDict()
        self._mutex = threading.Lock()

    def get(self, key: tuple[Any, ...], make: Any) -> tuple[dict[str, list[dict[str, Any]]], int]:
        with self._mutex:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        value: tuple[dict[str, list[dict[str, Any]]], int] = make()
        with self._mutex:
            self._kept[key] = value
            while len(self._kept) > FACETS_KEPT:
                self._kept.popitem(last=False)
        return value


def _listed(request: Request, rows: browse.Rows, p: browse.Page, **more: Any) -> dict[str, Any]:
    results = render.plain(rows.rows)
    return {"filters": params.given(request), "total": rows.total, "paging": params.paging(results, rows.total, p),
            "results": results, **more}


# --- search --------------------------------------------------------------------------------------

def search_data(request: Request) -> dict[str, Any]:
    """The CLI's search (BM25 over stemmed words), one page of it, and facet counts over every hit
    the filters keep; without words, the cases the filters select, newest first."""
    text = params.text(request, "q") or ""
    f, outcome, doc_type = params.filters(request), params.outcome(request), params.doc_type(request)
    p = params.page(request, SEARCH_PAGE)
    given = params.given(request)
    out: dict[str, Any] = {"q": text, "terms": sorted(set(nlp.terms(text))), "filters": given}
    if not text and not given:
        return out | {"total": 0, "paging": params.paging([], 0, p), "results": [],
                      "facets": {name: [] for name in browse.FACETS}}
    con = connection(request)
    key = (params.version(request), tuple(out["terms"]) if text else None, f, outcome, doc_type)
    cache: FacetCache = request.app.state.facets
    facets, counted = cache.get(key, lambda: browse.facets(con, text, f, outcome, doc_type))
    if text:
        results, total = _ranked(con, text, f, p, outcome, doc_type, counted)
    else:
        rows = browse.cases(con, f, p, outcome, doc_type)
        results, total = render.plain(rows.rows), rows.total
    return out | {"total": total, "paging": params.paging(results, total, p), "results": results, "facets": facets}


def _ranked(con: duckdb.DuckDBPyConnection, text: str, f: queries.Filters, p: browse.Page, outcome: str | None,
            doc_type: str | None, counted: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the ranked hits. Outcome and document type are not filters of the search itself:
    then the hits are read in growing batches and those of that outcome and type kept."""
    want = p.offset + p.limit
    if not (outcome or doc_type):
        df = queries.search(con, text, _limited(f, want))
        return render.records(df)[p.offset:], int(df.attrs["total"])
    where, values = browse._case_where(queries.Filters(limit=None), outcome, doc_type)
    allowed = {r for (r,) in con.execute(f"SELECT c.case_id FROM cases c WHERE {where}", values).fetchall()}
    n = max(4 * want, 100)
    while True:
        df = queries.search(con, text, _limited(f, n))
        kept = [r for r in render.records(df) if r["case_id"] in allowed]
        if len(kept) >= want or n >= df.attrs["total"]:
            return kept[p.offset:want], counted
        n *= 4


def _limited(f: queries.Filters, limit: int) -> queries.Filters:
    return queries.Filters(f.partnership, f.body, f.since, f.until, f.topic, limit)


# --- lists ---------------------------------------------------------------------------------------

def meetings_data(request: Request) -> dict[str, Any]:
    p = params.page(request)
    return _listed(request, browse.meetings(connection(request), params.filters(request), p), p)


def decisions_data(request: Request) -> dict[str, Any]:
    p = params.page(request)
    taken_only = request.query_params.get("taken_only") in ("1", "true", "on")
    con = connection(request)
    rows = browse.decisions(con, params.filters(request), p, params.outcome(request), not taken_only)
    _decision_images(con, rows.rows)
    return _listed(request, rows, p)


def _decision_images(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    """Each decision whose text is on another page of its PDF than its case starts on gets the link
    to that page's image."""
    found = pages.decision_pages(con, [r["case_id"] for r in rows])
    for r in rows:
        page = found.get(r["case_id"])
        r["decision_image"] = {"page": page, "image": f"/cases/{r['case_id']}/decision.png"} if page else None


def people_data(request: Request) -> dict[str, Any]:
    p = params.page(request)
    rows = browse.people(connection(request), params.filters(request), p, params.text(request, "name"),
                         params.text(request, "organisation"))
    return _listed(request, rows, p)


def organisations_data(request: Request) -> dict[str, Any]:
    p = params.page(request)
    rows = browse.organisations(connection(request), params.filters(request), p, params.text(request, "name"))
    return _listed(request, rows, p)


def topics_data(request: Request) -> dict[str, Any]:
    """Cases per topic and year, for the chart and its table; each count links to the search that
    lists those cases."""
    f = params.filters(request)
    rows = browse.topics_by_year(connection(request), f)
    given = {k: v for k, v in params.given(request).items() if k in ("partnership", "body", "since", "until")}
    return {"filters": given, **chart.topics(rows, given)}


# --- one item ------------------------------------------------------------------------------------

def person_data(request: Request, person_id: str) -> dict[str, Any]:
    return _item_and_list(request, "person", person_id, browse.person, "meetings", browse.person_meetings)


def organisation_data(request: Request, name: str) -> dict[str, Any]:
    return _item_and_list(request, "organisation", name, browse.organisation, "people", browse.organisation_people)


def _item_and_list(request: Request, what: str, key: str, item: Callable[..., Any], listed: str,
                   rows_of: Callable[..., Any]) -> dict[str, Any]:
    """One item (404 when there is none) with a paged list of what belongs to it."""
    con = connection(request)
    found = item(con, key)
    if not found:
        raise HTTPException(404, f"no {what} {key!r}")
    p = params.page(request)
    return render.plain(found) | {listed: _listed(request, rows_of(con, key, p), p)}  # type: ignore[no-any-return]


def meeting_data(request: Request, meeting_id: str) -> dict[str, Any]:
    con = connection(request)
    found = _records(con, "SELECT * FROM meetings WHERE meeting_id = ?", [meeting_id])
    if not found:
        # the list names a meeting by its body's abbreviation; the key may hold the full name
        found = _records(con, """SELECT * FROM meetings WHERE partnership || '|' ||
                                 coalesce(body_abbrev, body) || '|' || meeting_date = ?""", [meeting_id])
    if not found:
        # documents with a meeting key but no minutes or notice (a board's case papers): their header
        found = _records(con, """SELECT meeting_id, partnership, body, body_abbrev, meeting_date, start_time,
                                        end_time, location, chair, minute_taker
                                 FROM documents WHERE meeting_id = ? ORDER BY doc_type, doc_id LIMIT 1""",
                         [meeting_id])
    if not found:
        raise HTTPException(404, f"no meeting {meeting_id!r}")
    meeting = found[0]
    mid = meeting["meeting_id"]
    documents = _records(con, """SELECT doc_id, doc_type, organization, n_cases, n_attendees, page_start,
                                        page_end, source_path, copies, sources
                                 FROM documents WHERE meeting_id = ? ORDER BY doc_type, doc_id""", [mid])
    attendees = _records(con, """SELECT a.person_id, a.name, a.organization,
                                        coalesce(a.organisation_canonical, a.organization) AS organisation, a.title,
                                        a.status, a.note, a.deputy_for, d.doc_type
                                 FROM attendees a JOIN documents d USING (doc_id)
                                 WHERE d.meeting_id = ? ORDER BY d.doc_type, a.doc_id, a.seq""", [mid])
    cases = _records(con, """SELECT c.case_id, c.doc_type, c.number, c.title, c.outcome, c.page,
                                    c.source_path, dc.label, dc.text AS decision, dc.proposed,
                                    dc.page AS decision_page, dc.source_path AS decision_source
                             FROM cases c LEFT JOIN decisions dc USING (case_id)
                             WHERE c.meeting_id = ? ORDER BY c.doc_type, c.doc_id, c.number_sort, c.seq""", [mid])
    _decision_images(con, cases)
    people = _people(con, meeting["partnership"], [meeting.get("chair"), meeting.get("minute_taker")])
    out: dict[str, Any] = render.plain({"meeting": meeting, "documents": documents, "attendees": attendees,
                                        "cases": cases, "people": people})
    return out


def _people(con: duckdb.DuckDBPyConnection, partnership: str, names: list[str | None]) -> dict[str, str]:
    """The person pages of the names (a chair, a person responsible) that attendee lists hold."""
    ids = {n: derive.person_id(partnership, n) for n in names if n}
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    found = {r for (r,) in con.execute(f"SELECT DISTINCT person_id FROM attendees WHERE person_id IN ({marks})",
                                       list(ids.values())).fetchall()}
    return {n: pid for n, pid in ids.items() if pid in found}


def case_data(request: Request, case_id: str) -> dict[str, Any]:
    """What `minutes show` prints, and where its pages are: the case's and, when it is elsewhere,
    the decision's (page images and the files at those pages)."""
    con = connection(request)
    if not con.execute("SELECT 1 FROM cases WHERE case_id = ?", [case_id]).fetchone():
        raise HTTPException(404, f"no case {case_id!r}")
    shown: dict[str, Any] = render.plain(queries.show(con, case_id))
    shown["pages"] = pages.case_pages(request, con, case_id)
    shown["page_image"] = "case" in shown["pages"]
    c, m = shown["case"], shown["meeting"] or {}
    shown["people"] = _people(con, c["partnership"], [m.get("chair"), m.get("minute_taker"),
                                                      *(c.get("responsible") or [])])
    return shown


def quality_data(request: Request) -> dict[str, Any]:
    con = connection(request)
    kinds = _records(con, "SELECT kind, count(*) AS n FROM data_quality GROUP BY kind ORDER BY n DESC, kind", [])
    rows = _records(con, """SELECT q.doc_id, q.case_id, q.item, q.item_name, q.field, q.kind, q.kept_value,
                                   q.kept_source, q.other_value, q.other_source
                            FROM data_quality q ORDER BY q.kind, q.doc_id, q.item_name, q.field""", [])
    errors = _records(con, "SELECT * FROM load_errors ORDER BY 1", [])
    ocr = _records(con, """SELECT path, pages, ocr_pages FROM source_files WHERE coalesce(ocr_pages, 0) > 0
                           ORDER BY path""", [])
    counts = _records(con, """SELECT (SELECT count(*) FROM source_files) AS files,
                                     (SELECT count(*) FROM documents) AS documents,
                                     (SELECT count(*) FROM cases) AS cases,
                                     (SELECT count(*) FROM decisions) AS decisions,
                                     (SELECT count(*) FROM attendees) AS attendees,
                                     (SELECT count(*) FROM cases WHERE title IS NULL) AS cases_without_title,
                                     (SELECT count(*) FROM documents WHERE meeting_date IS NULL)
                                         AS documents_without_date""", [])[0]
    warnings = _records(con, """SELECT f.path, w.message FROM extraction_warnings w LEFT JOIN source_files f
                                USING (sha256) ORDER BY f.path, w.message LIMIT 1000""", [])
    out: dict[str, Any] = render.plain({"counts": counts, "kinds": kinds, "disagreements": rows,
                                        "load_errors": errors, "ocr_files": ocr, "warnings": warnings})
    return out


def home_data(request: Request) -> dict[str, Any]:
    counts = _records(connection(request), """SELECT (SELECT count(*) FROM meetings) AS meetings,
                                                     (SELECT count(*) FROM cases) AS cases,
                                                     (SELECT count(*) FROM decisions) AS decisions,
                                                     (SELECT count(*) FROM documents) AS documents,
                                                     (SELECT count(DISTINCT person_id) FROM attendees) AS people""",
                      [])[0]
    return {"counts": counts}
