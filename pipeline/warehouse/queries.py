"""Questions to the warehouse, each a function returning a DataFrame. Every user value reaches SQL as
a parameter; only fixed column names and clauses are put together as text."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .. import nlp

BM25_K1, BM25_B = 1.2, 0.75


@dataclass(frozen=True)
class Filters:
    partnership: str | None = None
    body: str | None = None
    since: str | None = None  # ISO date, inclusive
    until: str | None = None
    topic: str | None = None
    limit: int | None = 50

    def where(self, alias: str = "", cols: dict[str, str] | None = None) -> tuple[str, list[Any]]:
        """SQL conditions and their parameters; `cols` names the columns where they differ from
        the views' (partnership, body, meeting_date, case_id), else `alias` prefixes those."""
        p = f"{alias}." if alias else ""
        c = {k: f"{p}{k}" for k in ("partnership", "body", "meeting_date", "case_id")} | (cols or {})
        clauses = [
            (self.partnership, f"lower({c['partnership']}) = lower(?)"),
            (self.body, f"lower({c['body']}) = lower(?)"),
            (self.since, f"{c['meeting_date']} >= CAST(? AS DATE)"),
            (self.until, f"{c['meeting_date']} <= CAST(? AS DATE)"),
            (self.topic, f"{c['case_id']} IN (SELECT case_id FROM case_topics WHERE lower(topic) = lower(?))"),
        ]
        used = [(value, sql) for value, sql in clauses if value]
        return (" AND ".join(sql for _, sql in used) or "TRUE"), [value for value, _ in used]

    def limit_sql(self) -> tuple[str, list[Any]]:
        return (" LIMIT ?", [self.limit]) if self.limit else ("", [])


# The same document often exists more than once (a PDF and a text export of it): one row per case
# identity, the PDF preferred, with the number of copies (search does the same in Python: one_copy).
IDENTITY = ("partnership", "body", "meeting_date", "doc_type", "number", "title")
ONE_COPY = f"""QUALIFY row_number() OVER (PARTITION BY {", ".join(IDENTITY)}
                              ORDER BY (source_path NOT ILIKE '%.pdf'), source_path) = 1"""
COPIES = f"count(*) OVER (PARTITION BY {', '.join(IDENTITY)}) AS copies"


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection: nothing done through it can change the warehouse or touch other files."""
    if not Path(db_path).exists():
        raise FileNotFoundError(f"{db_path}: no warehouse; run `minutes build` first")
    con = duckdb.connect(str(db_path), read_only=True, config={"enable_external_access": False})
    return con


def search(con: duckdb.DuckDBPyConnection, query: str, f: Filters = Filters()) -> pd.DataFrame:
    """Cases ranked by BM25 over their title, text and decision (Snowball-stemmed Norwegian).

    Two steps: the postings of the query's terms are scored alone (term-ordered postings let the
    scan skip every row group without them) and the filters applied, giving the best candidates;
    only those are then joined to their meeting, decision, topics and source. Copies of one document
    (PDF and text) score alike, so the candidates are widened until the deduplicated rows fill the
    limit."""
    terms = sorted(set(nlp.terms(query)))
    if not terms:
        return pd.DataFrame(columns=SEARCH_COLUMNS)
    want = f.limit or None
    pool = (want or 0) * 3 + 10
    while True:
        rows, candidates = _search_candidates(con, terms, f, pool if want else None)
        if not want or len(rows) >= want or candidates < pool:
            break  # enough rows, or every hit was a candidate
        pool *= 4
    rows = rows[:want] if want else rows
    for r in rows:
        r["snippet"] = snippet(r["_text"], terms)
    return pd.DataFrame(rows, columns=SEARCH_COLUMNS)


SEARCH_COLUMNS = ["score", "partnership", "body", "meeting_date", "number", "title", "snippet", "outcome", "topics",
                  "source_path", "page", "copies"]
# what a hit shows, as search_cases holds it
SHOWN = {"case_id": "case_id", "partnership": "partnership", "body": "body", "meeting_date": "meeting_date",
         "doc_type": "doc_type", "number": "number", "title": "title", "_text": "snippet_text", "outcome": "outcome",
         "topics": "topics", "page": "page", "source_path": "source_path"}


def _search_candidates(con: duckdb.DuckDBPyConnection, terms: list[str], f: Filters,
                       pool: int | None) -> tuple[list[dict[str, Any]], int]:
    """The best `pool` hits (all if None) after the filters, one row per case identity in rank
    order, and how many hits were candidates."""
    marks = ", ".join("?" for _ in terms)
    where, params = Filters(f.partnership, f.body, f.since, f.until, f.topic, None).where("sc")
    filtered = where != "TRUE"
    top, top_params = (" LIMIT ?", [pool]) if pool else ("", [])
    scored = con.execute(f"""
    WITH n AS (SELECT count(*) AS docs, avg(n_terms) AS avg_len FROM cases),
    p AS (SELECT case_id, tf, doc_len, count(*) OVER (PARTITION BY term) AS df
          FROM search_terms WHERE term IN ({marks})),
    hits AS (
      SELECT p.case_id, sum(ln(1 + (n.docs - p.df + 0.5) / (p.df + 0.5))
             * p.tf * ({BM25_K1} + 1) / (p.tf + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * coalesce(p.doc_len, n.avg_len)
             / n.avg_len))) AS score
      FROM p, n GROUP BY p.case_id)
    SELECT h.case_id, h.score FROM hits h
    {"JOIN search_cases sc USING (case_id) WHERE " + where if filtered else ""}
    ORDER BY h.score DESC, h.case_id{top}""", [*terms, *(params if filtered else []), *top_params]).fetchall()
    # Then what the hits show, by primary key: an IN list of constants alone is an index lookup
    # (inside a join it would become a scan of every case).
    score = dict(scored)
    found = con.execute(f"""SELECT {", ".join(SHOWN.values())} FROM search_cases
                            WHERE case_id IN ({", ".join("?" for _ in score) or "NULL"})""", list(score)).fetchall()
    rows = [dict(zip(SHOWN, r), score=round(score[r[0]], 3)) for r in found]
    rows.sort(key=lambda r: (-r["score"], _desc_date(r["meeting_date"]), r["case_id"]))
    return one_copy(rows), len(score)


def _desc_date(d: date | None) -> float:
    return -d.toordinal() if d is not None else float("inf")


def one_copy(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ONE_COPY for rows in rank order: per case identity the PDF (else the first path) at the
    rank of its best copy, with the number of copies."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in IDENTITY), []).append(r)
    out = []
    for copies in groups.values():
        best = min(copies, key=lambda r: (not str(r["source_path"]).lower().endswith(".pdf"), r["source_path"]))
        out.append({**best, "score": copies[0]["score"], "copies": len(copies)})
    return out


def snippet(text: str, terms: list[str], width: int = 160) -> str:
    """The part of `text` around the first word whose stem is a query term."""
    words = text.split()
    for i, w in enumerate(words):
        stems = nlp.terms(w)
        if stems and stems[0] in terms:
            start = max(0, i - 8)
            out = " ".join(words[start:start + 28])
            return ("… " if start else "") + out[:width] + (" …" if len(out) > width or start + 28 < len(words) else "")
    return text[:width] + (" …" if len(text) > width else "")


def decisions(con: duckdb.DuckDBPyConnection, f: Filters = Filters(), outcome: str | None = None,
              include_proposed: bool = True) -> pd.DataFrame:
    where, params = f.where()
    if outcome:
        where += " AND outcome = ?"
        params.append(outcome)
    if not include_proposed:
        where += " AND NOT proposed"
    lim, lp = f.limit_sql()
    return con.execute(f"""SELECT * EXCLUDE (doc_type) FROM (
                             SELECT partnership, body, meeting_date, number, title, label, decision, outcome, proposed,
                                    topics, source_path, page, doc_type, {COPIES}
                             FROM v_decisions WHERE {where} {ONE_COPY})
                           ORDER BY meeting_date DESC NULLS LAST, partnership, body, number{lim}""", params + lp).df()


def cases(con: duckdb.DuckDBPyConnection, f: Filters = Filters()) -> pd.DataFrame:
    where, params = f.where()
    lim, lp = f.limit_sql()
    return con.execute(f"""SELECT * FROM (
                             SELECT partnership, body, meeting_date, doc_type, number, title, case_type, decision,
                                    outcome, responsible, topics, source_path, page, {COPIES}
                             FROM v_cases WHERE {where} {ONE_COPY})
                           ORDER BY meeting_date DESC NULLS LAST, partnership, body, number{lim}""", params + lp).df()


def meetings(con: duckdb.DuckDBPyConnection, f: Filters = Filters()) -> pd.DataFrame:
    f2 = Filters(f.partnership, f.body, f.since, f.until, None, f.limit)
    where, params = f2.where()
    lim, lp = f2.limit_sql()
    return con.execute(f"""SELECT partnership, body, meeting_date, start_time, end_time,
                                  location, chair, minute_taker, documents, cases
                           FROM (SELECT * EXCLUDE (body), coalesce(body_abbrev, body) AS body FROM v_meetings)
                           WHERE {where}
                           ORDER BY meeting_date DESC NULLS LAST, partnership{lim}""", params + lp).df()


def attendance(con: duckdb.DuckDBPyConnection, f: Filters = Filters(), by: str = "person",
               person: str | None = None, organisation: str | None = None) -> pd.DataFrame:
    """Meetings attended per person (or organisation) with the rate over the meetings of the bodies
    they were listed for. Only minutes (referat/protokoll) count: a notice lists invitees."""
    f2 = Filters(f.partnership, f.body, f.since, f.until, None, None)
    where, params = f2.where()
    meetings_where, meetings_params = where, list(params)  # the meetings held: not narrowed to the person
    if person:
        where += " AND lower(name) LIKE lower(?)"
        params.append(f"%{person}%")
    if organisation:
        where += " AND lower(organisation) LIKE lower(?)"
        params.append(f"%{organisation}%")
    key = "organisation" if by == "organisation" else "person_id"
    label = ("organisation" if by == "organisation"
             else "any_value(name) AS name, any_value(organisation) AS organisation")
    lim, lp = f.limit_sql()
    sql = f"""
    WITH listed AS (SELECT * FROM v_attendance WHERE doc_type IN ('referat', 'protokoll') AND {where}),
    -- one status per {key} and meeting, present over absent over unknown: copies of the minutes (PDF,
    -- text) may read a status differently, and an organisation is present when one of its people is
    a AS (SELECT {key}, any_value(name) AS name, any_value(organisation) AS organisation, partnership, body,
                 meeting_id,
                 CASE WHEN bool_or(status = 'present') THEN 'present' WHEN bool_or(status = 'absent') THEN 'absent'
                      ELSE 'unknown' END AS status
          FROM listed WHERE {key} IS NOT NULL GROUP BY {key}, partnership, body, meeting_id),
    held AS (SELECT partnership, body, count(DISTINCT meeting_id) AS held FROM v_attendance
             WHERE doc_type IN ('referat', 'protokoll') AND {meetings_where} GROUP BY ALL)
    SELECT {label}, a.partnership, a.body,
           count(*) FILTER (WHERE status = 'present') AS present,
           count(*) FILTER (WHERE status = 'absent') AS absent,
           count(*) FILTER (WHERE status = 'unknown') AS unknown,
           any_value(held.held) AS meetings,
           round(count(*) FILTER (WHERE status = 'present') / any_value(held.held), 2) AS rate
    FROM a JOIN held USING (partnership, body)
    GROUP BY {key}, a.partnership, a.body
    ORDER BY present DESC, {'organisation' if by == 'organisation' else 'name'}{lim}"""
    return con.execute(sql, params + meetings_params + lp).df()


def people(con: duckdb.DuckDBPyConnection, f: Filters = Filters(), ambiguous: bool = False) -> pd.DataFrame:
    if ambiguous:
        where, params = Filters(f.partnership).where()
        return con.execute(f"SELECT * FROM person_ambiguities WHERE {where} ORDER BY partnership, name",
                           params).df()
    where, params = Filters(f.partnership).where()
    lim, lp = f.limit_sql()
    return con.execute(f"""SELECT partnership, name, name_variants, organisations, meetings FROM persons
                           WHERE {where} ORDER BY meetings DESC, name{lim}""", params + lp).df()


def topics(con: duckdb.DuckDBPyConnection, f: Filters = Filters(), by_year: bool = False) -> pd.DataFrame:
    f2 = Filters(f.partnership, f.body, f.since, f.until, None, None)
    where, params = f2.where("v")
    if f.topic:
        where += " AND lower(t.topic) = lower(?)"
        params.append(f.topic)
    year = ", year(v.meeting_date) AS year" if by_year else ""
    ident = f"({', '.join(f'v.{c}' for c in IDENTITY)})"  # copies count once
    return con.execute(f"""SELECT t.topic, v.partnership{year}, count(DISTINCT {ident}) AS cases,
                                  count(DISTINCT {ident}) FILTER (WHERE v.decision IS NOT NULL) AS decisions
                           FROM case_topics t JOIN v_cases v USING (case_id) WHERE {where}
                           GROUP BY ALL ORDER BY {'year, ' if by_year else ''}cases DESC, t.topic""", params).df()


def sql(con: duckdb.DuckDBPyConnection, statement: str) -> pd.DataFrame:
    """Any read-only SQL (the connection is opened read-only, without file access)."""
    return con.execute(statement).df()


def tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = 'main' ORDER BY 1").fetchall()]
