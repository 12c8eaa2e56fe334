"""The web view's lists, one page of rows at a time (offset and limit) with the count of all rows,
and its people, organisation and topic questions. Every user value reaches SQL as a parameter;
only fixed column names and clauses are put together as text. The filters are the CLI's
(queries.Filters); the search itself is queries.search, whose hits these functions only count."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from .. import nlp
from ..warehouse.queries import CASE_ORDER, Filters, _records

# attendance is read from minutes only: a notice lists the people invited, not who came
MINUTES = "('referat', 'protokoll')"
ORDER = ", ".join(f"c.{k}" for k in CASE_ORDER.split(", "))


def _status(status: str = "status") -> str:
    """One status per person (or organisation) and meeting: present over absent over unknown (minutes
    and a protocol may both list one; an organisation is present when one of its people is)."""
    return (f"CASE WHEN bool_or({status} = 'present') THEN 'present' WHEN bool_or({status} = 'absent') "
            "THEN 'absent' ELSE 'unknown' END")


STATUS = _status()
# in a list of every document: the status the minutes give, 'invited' when only a notice lists one
LISTED_STATUS = (f"CASE WHEN bool_or(doc_type IN {MINUTES}) THEN "
                 f"{_status(f'CASE WHEN doc_type IN {MINUTES} THEN status END')} ELSE 'invited' END")


@dataclass(frozen=True)
class Page:
    offset: int = 0
    limit: int = 100

    def sql(self) -> tuple[str, list[Any]]:
        return " LIMIT ? OFFSET ?", [self.limit, self.offset]


@dataclass
class Rows:
    """One page of a list and how many rows the whole list has."""
    rows: list[dict[str, Any]]
    total: int


def _paged(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any], page: Page) -> Rows:
    """The rows of `sql` (with a column `_total`, `count(*) OVER ()`) on `page`: its LIMIT goes where
    `sql` says {page} (a query that sorts keys alone, then reads the page's rows), else at its end.
    An offset past the end still gives the total."""
    lim, lp = page.sql()
    whole = sql.replace("{page}", "")
    rows = _records(con, sql.replace("{page}", lim) if "{page}" in sql else sql + lim, params + lp)
    if rows:
        total = int(rows[0]["_total"])
    elif page.offset:
        row = con.execute(f"SELECT count(*) FROM ({whole})", params).fetchone()
        total = int(row[0]) if row else 0
    else:
        total = 0
    for r in rows:
        del r["_total"]
    return Rows(rows, total)


def _no_topic(f: Filters) -> Filters:
    return Filters(f.partnership, f.body, f.since, f.until, None, None)


# --- meetings, decisions, cases --------------------------------------------------------------------

def meetings(con: duckdb.DuckDBPyConnection, f: Filters, page: Page) -> Rows:
    """Meetings, newest first; the documents and cases counted for the page's meetings only."""
    where, params = _no_topic(f).where(cols={"body": "coalesce(body_abbrev, body)"})
    return _paged(con, f"""
        WITH m AS (SELECT meeting_id, partnership, coalesce(body_abbrev, body) AS body, meeting_date, start_time,
                          end_time, location, chair, minute_taker, count(*) OVER () AS _total
                   FROM meetings WHERE {where} ORDER BY meeting_date DESC NULLS LAST, partnership, body{{page}}),
        d AS (SELECT meeting_id, count(*) AS documents, list(DISTINCT doc_type ORDER BY doc_type) AS doc_types
              FROM documents WHERE meeting_id IN (SELECT meeting_id FROM m) GROUP BY meeting_id),
        -- a case the notice, the minutes and a case paper all name is one case of the meeting
        c AS (SELECT meeting_id, count(DISTINCT coalesce(case_key, case_id)) AS cases
              FROM cases WHERE meeting_id IN (SELECT meeting_id FROM m) GROUP BY meeting_id)
        SELECT m.partnership || '|' || m.body || '|' || m.meeting_date AS meeting_id, m.* EXCLUDE (meeting_id, _total),
               coalesce(d.documents, 0) AS documents, d.doc_types, coalesce(c.cases, 0) AS cases, m._total
        FROM m LEFT JOIN d USING (meeting_id) LEFT JOIN c USING (meeting_id)
        ORDER BY meeting_date DESC NULLS LAST, partnership, body""", params, page)


def decisions(con: duckdb.DuckDBPyConnection, f: Filters, page: Page, outcome: str | None = None,
              include_proposed: bool = True) -> Rows:
    """Decisions in the CLI's order (newest meeting first, cases in their natural order): the page's
    keys sorted first, then their rows read."""
    where, params = f.where("c")
    if outcome:
        where += " AND dc.outcome = ?"
        params.append(outcome)
    if not include_proposed:
        where += " AND NOT dc.proposed"
    return _paged(con, f"""
        WITH k AS (SELECT c.case_id, c.meeting_date, c.partnership, c.body, c.doc_type, c.number_sort,
                          count(*) OVER () AS _total
                   FROM decisions dc JOIN cases c USING (case_id) WHERE {where} ORDER BY {ORDER}{{page}})
        SELECT c.case_id, c.partnership, c.body, c.meeting_date, c.number, c.title, dc.label, dc.text AS decision,
               dc.outcome, dc.proposed, c.topics, c.source_path, c.page, dc.source_path AS decision_source,
               dc.page AS decision_page, c.copies, k._total
        FROM k JOIN decisions dc USING (case_id) JOIN cases c USING (case_id)
        ORDER BY {ORDER.replace('c.', 'k.')}""", params, page)


def cases(con: duckdb.DuckDBPyConnection, f: Filters, page: Page, outcome: str | None = None,
          doc_type: str | None = None) -> Rows:
    """Cases the filters select, newest meeting first: the search page when no words are given."""
    where, params = _case_where(f, outcome, doc_type)
    return _paged(con, f"""SELECT NULL AS score, c.case_id, c.partnership, c.body, c.meeting_date, c.number,
                                  c.title, left(coalesce(c.decision, c.text, ''), 160) AS snippet, c.outcome,
                                  c.topics, c.source_path, c.page, c.copies, count(*) OVER () AS _total
                           FROM cases c WHERE {where}
                           ORDER BY {ORDER}""", params, page)


def _case_where(f: Filters, outcome: str | None, doc_type: str | None) -> tuple[str, list[Any]]:
    where, params = f.where("c")
    for value, column in ((outcome, "c.outcome"), (doc_type, "c.doc_type")):
        if value:
            where += f" AND {column} = ?"
            params.append(value)
    return where, params


FACETS = ("partnership", "body", "year", "topic", "outcome", "doc_type")


def facets(con: duckdb.DuckDBPyConnection, query: str, f: Filters, outcome: str | None = None,
           doc_type: str | None = None) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """Counts per value of each facet over the cases found (by `query`'s words, or every case when
    it has none) that the filters keep, most first; and how many cases that is. A case is found as
    queries.search finds it: its preferred copy has a posting of a term. One pass: the cases found
    are read once and counted per facet with grouping sets."""
    where, params = _case_where(f, outcome, doc_type)
    terms = sorted(set(nlp.terms(query))) if query else []
    if query and not terms:
        return {name: [] for name in FACETS}, 0
    # the search index: the postings of each case's preferred copy, under the case's number
    found = (f"""WHERE c.case_id IN (SELECT k.case_id FROM search_cases k WHERE k.case_no IN
                 (SELECT case_no FROM search_postings WHERE term IN ({', '.join('?' for _ in terms)})))
                 AND """ if terms else "WHERE ")
    plain = [name for name in FACETS if name != "topic"]
    label = " ".join(f"WHEN grouping({name}) = 0 THEN '{name}'" for name in plain)
    rows = con.execute(f"""
        WITH h AS MATERIALIZED (SELECT c.partnership, c.body, CAST(year(c.meeting_date) AS VARCHAR) AS year,
                                       c.outcome, c.doc_type, c.topics FROM cases c {found}{where})
        SELECT CASE {label} ELSE '_total' END AS facet, coalesce({', '.join(plain)}) AS value, count(*) AS n FROM h
        GROUP BY GROUPING SETS ({', '.join(f'({name})' for name in plain)}, ())
        UNION ALL SELECT 'topic', topic, count(*) FROM (SELECT unnest(topics) AS topic FROM h) GROUP BY topic""",
                       [*terms, *params]).fetchall()
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in FACETS}
    total = 0
    for facet, value, n in rows:
        if facet == "_total":
            total = int(n)
        elif value is not None:
            out[facet].append({"value": value, "count": int(n)})
    for name, values in out.items():
        values.sort(key=(lambda v: v["value"]) if name == "year" else (lambda v: (-v["count"], str(v["value"]))),
                    reverse=name == "year")
    return out, total


# --- people and organisations ------------------------------------------------------------------------

def people(con: duckdb.DuckDBPyConnection, f: Filters, page: Page, name: str | None = None,
           organisation: str | None = None) -> Rows:
    """People listed in minutes, by meetings attended: the bodies and organisations they were listed
    for, the meetings they were present at and absent from, the first and last."""
    where, params = _no_topic(f).where()
    for value, column in ((name, "name"), (organisation, "organisation")):
        if value:
            where += f" AND strip_accents(lower({column})) LIKE '%' || strip_accents(lower(?)) || '%'"
            params.append(value)
    return _paged(con, f"""
        WITH a AS (SELECT person_id, any_value(name) AS name, any_value(organisation) AS organisation,
                          any_value(partnership) AS partnership, any_value(body) AS body,
                          min(meeting_date) AS meeting_date, {STATUS} AS status
                   FROM v_attendance WHERE doc_type IN {MINUTES} AND {where} GROUP BY person_id, meeting_id)
        SELECT person_id, mode(name) AS name, any_value(partnership) AS partnership,
               list(DISTINCT organisation ORDER BY organisation) FILTER (WHERE organisation IS NOT NULL)
                   AS organisations,
               list(DISTINCT body ORDER BY body) FILTER (WHERE body IS NOT NULL) AS bodies,
               count(*) FILTER (WHERE status = 'present') AS present,
               count(*) FILTER (WHERE status = 'absent') AS absent, count(*) AS meetings,
               min(meeting_date) AS first_meeting, max(meeting_date) AS last_meeting, count(*) OVER () AS _total
        FROM a GROUP BY person_id ORDER BY present DESC, meetings DESC, name, person_id""", params, page)


def person(con: duckdb.DuckDBPyConnection, person_id: str) -> dict[str, Any] | None:
    """One person: names, organisations, titles and bodies as listed, and attendance per body and year."""
    found = _records(con, """SELECT person_id, any_value(partnership) AS partnership, mode(name) AS name,
                                    list(DISTINCT name ORDER BY name) AS name_variants,
                                    list(DISTINCT organisation ORDER BY organisation)
                                        FILTER (WHERE organisation IS NOT NULL) AS organisations,
                                    list(DISTINCT title ORDER BY title) FILTER (WHERE title IS NOT NULL) AS titles,
                                    list(DISTINCT body ORDER BY body) FILTER (WHERE body IS NOT NULL) AS bodies
                             FROM v_attendance WHERE person_id = ? GROUP BY person_id""", [person_id])
    if not found:
        return None
    by_year = _records(con, f"""
        WITH a AS (SELECT body, year(any_value(meeting_date)) AS year, {STATUS} AS status FROM v_attendance
                   WHERE person_id = ? AND doc_type IN {MINUTES} GROUP BY meeting_id, body)
        SELECT body, year, count(*) FILTER (WHERE status = 'present') AS present,
               count(*) FILTER (WHERE status = 'absent') AS absent, count(*) AS meetings
        FROM a GROUP BY ALL ORDER BY year DESC NULLS LAST, body""", [person_id])
    return {"person": found[0], "by_year": by_year}


def person_meetings(con: duckdb.DuckDBPyConnection, person_id: str, page: Page) -> Rows:
    """The meetings a person is listed for (in minutes, or else in a notice), newest first, with the
    status, organisation, title and note as listed."""
    return _paged(con, f"""
        SELECT meeting_id, any_value(partnership) AS partnership, any_value(body) AS body,
               min(meeting_date) AS meeting_date,
               {LISTED_STATUS} AS status,
               any_value(organisation) AS organisation, any_value(title) AS title,
               string_agg(DISTINCT note, '; ') AS note, any_value(deputy_for) AS deputy_for,
               list(DISTINCT doc_type ORDER BY doc_type) AS listed_in, count(*) OVER () AS _total
        FROM v_attendance WHERE person_id = ? AND meeting_id IS NOT NULL
        GROUP BY meeting_id ORDER BY meeting_date DESC NULLS LAST, meeting_id""", [person_id], page)


def organisations(con: duckdb.DuckDBPyConnection, f: Filters, page: Page, name: str | None = None) -> Rows:
    """Organisations named in minutes' attendee lists: their people, the meetings one of them was
    present at, the first and last."""
    where, params = _no_topic(f).where()
    if name:
        where += " AND strip_accents(lower(organisation)) LIKE '%' || strip_accents(lower(?)) || '%'"
        params.append(name)
    return _paged(con, f"""
        WITH listed AS (SELECT * FROM v_attendance
                        WHERE doc_type IN {MINUTES} AND organisation IS NOT NULL AND {where}),
        a AS (SELECT organisation, meeting_id, any_value(partnership) AS partnership,
                     any_value(meeting_date) AS meeting_date, {STATUS} AS status
              FROM listed GROUP BY organisation, meeting_id),
        p AS (SELECT organisation, count(DISTINCT person_id) AS people FROM listed GROUP BY organisation)
        SELECT organisation, list(DISTINCT partnership ORDER BY partnership) AS partnerships,
               any_value(p.people) AS people,
               count(*) FILTER (WHERE status = 'present') AS meetings_present, count(*) AS meetings,
               min(meeting_date) AS first_meeting, max(meeting_date) AS last_meeting, count(*) OVER () AS _total
        FROM a JOIN p USING (organisation) GROUP BY organisation
        ORDER BY meetings_present DESC, meetings DESC, organisation""", params, page)


def organisation(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, Any] | None:
    """One organisation: attendance per partnership, body and year (meetings where one of its people
    was present, of those it was listed for, and how many of its people were there)."""
    if not con.execute("SELECT 1 FROM v_attendance WHERE organisation = ? LIMIT 1", [name]).fetchone():
        return None
    by_year = _records(con, f"""
        WITH a AS (SELECT partnership, body, year(any_value(meeting_date)) AS year, {STATUS} AS status,
                          count(DISTINCT person_id) FILTER (WHERE status = 'present') AS people
                   FROM v_attendance WHERE organisation = ? AND doc_type IN {MINUTES}
                   GROUP BY meeting_id, partnership, body)
        SELECT partnership, body, year, count(*) FILTER (WHERE status = 'present') AS present, count(*) AS meetings,
               sum(people) AS people_present
        FROM a GROUP BY ALL ORDER BY year DESC NULLS LAST, partnership, body""", [name])
    return {"organisation": name, "by_year": by_year}


def organisation_people(con: duckdb.DuckDBPyConnection, name: str, page: Page) -> Rows:
    """The people listed for an organisation, most meetings attended first."""
    return _paged(con, f"""
        WITH a AS (SELECT person_id, any_value(name) AS name, any_value(partnership) AS partnership,
                          any_value(title) AS title, min(meeting_date) AS meeting_date,
                          {LISTED_STATUS} AS status
                   FROM v_attendance WHERE organisation = ? GROUP BY person_id, meeting_id)
        SELECT person_id, mode(name) AS name, any_value(partnership) AS partnership,
               list(DISTINCT title ORDER BY title) FILTER (WHERE title IS NOT NULL) AS titles,
               count(*) FILTER (WHERE status = 'present') AS present, count(*) AS meetings,
               min(meeting_date) AS first_meeting, max(meeting_date) AS last_meeting, count(*) OVER () AS _total
        FROM a GROUP BY person_id ORDER BY present DESC, meetings DESC, name, person_id""", [name], page)


# --- topics over time ------------------------------------------------------------------------------

def topics_by_year(con: duckdb.DuckDBPyConnection, f: Filters) -> list[dict[str, Any]]:
    """Cases per topic and year of their meeting (cases without a meeting date left out)."""
    where, params = f.where("c")
    return _records(con, f"""SELECT t.topic, year(c.meeting_date) AS year, count(*) AS cases
                             FROM case_topics t JOIN cases c USING (case_id)
                             WHERE c.meeting_date IS NOT NULL AND {where}
                             GROUP BY ALL ORDER BY t.topic, year""", params)
