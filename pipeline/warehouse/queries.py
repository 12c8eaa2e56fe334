"""Questions to the warehouse, each a function returning a DataFrame. Every user value reaches SQL as
a parameter; only fixed column names and clauses are put together as text.

Every question reads the logical tables: one row per document, case, decision and attendee, the
copies of a document (a PDF and its text export) merged (merge.py). A list's DataFrame carries in
df.attrs["total"] how many rows there are without its limit."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .. import nlp, vocab
from . import bm25, layout
from . import search as search_index
from .connection import connect as open_duckdb


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


class OutdatedWarehouse(Exception):
    """A warehouse of an earlier layout: the next build makes it again."""


class DamagedWarehouse(OutdatedWarehouse):
    """A warehouse that lacks some of its tables or views: the next build makes it again."""


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection: nothing done through it can change the warehouse or touch other files."""
    if not Path(db_path).exists():
        raise FileNotFoundError(f"{db_path}: no warehouse; run `minutes build` first")
    con = open_duckdb(db_path, read_only=True, enable_external_access=False)
    # duckdb_tables(), not information_schema: 1 ms instead of 10-40 ms on a large warehouse (the web
    # view connects once per request)
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'copy_documents'").fetchone()
    if not row or not row[0]:
        con.close()
        raise OutdatedWarehouse(f"{db_path}: made by an earlier version of minutes (before 0.6); "
                                "run `minutes build` to make it again")
    index = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() "
                                       "WHERE table_name IN ('search_cases', 'search_postings')").fetchall()}
    if not index:
        con.close()
        raise OutdatedWarehouse(f"{db_path}: its search index is of an earlier version of minutes; "
                                "run `minutes build` to make it again (no file is read again)")
    if gone := layout.damage(con, kind=None):
        con.close()
        raise DamagedWarehouse(f"{db_path}: damaged ({', '.join(gone)} missing), so answers would be "
                               "incomplete; run `minutes build` to make it again")
    if not search_index.is_current(con):
        con.close()
        raise OutdatedWarehouse(f"{db_path}: its search index is of an earlier version of minutes; "
                                "run `minutes build` to make it again (no file is read again)")
    return con


def _framed(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> pd.DataFrame:
    """The rows of `sql`, whose last column `_total` counts the rows before the limit; that count
    goes to df.attrs['total']."""
    df = con.execute(sql, params).df()
    total = int(df["_total"].iloc[0]) if len(df) else 0
    df = df.drop(columns=["_total"])
    df.attrs["total"] = total
    return df


def search(con: duckdb.DuckDBPyConnection, query: str, f: Filters = Filters()) -> pd.DataFrame:
    """Cases ranked by BM25 over their title, text and decision (Snowball-stemmed Norwegian).

    Each logical case is scored on the postings of the copy it is read from (its preferred copy), so
    a document loaded as PDF and as text is found once. Two steps: the search index ranks the cases
    (bm25.ranked: the filters narrow the cases before scoring); then only the best hits' rows are
    fetched, by key."""
    terms = sorted(set(nlp.terms(query)))
    if not terms:
        empty = pd.DataFrame(columns=SEARCH_COLUMNS)
        empty.attrs["total"] = 0
        return empty
    where, params = Filters(f.partnership, f.body, f.since, f.until, f.topic, None).where()
    scored, total = bm25.ranked(con, terms, where, params, f.limit)
    shown = _shown(con, [cid for cid, _ in scored])
    # a case deleted by another program than minutes stays in the index until the next build
    out = [{"score": score, **shown[cid]} for cid, score in scored if cid in shown]
    for r in out:
        r["snippet"] = snippet(r.pop("_text"), terms)
    df = pd.DataFrame(out, columns=SEARCH_COLUMNS)
    df["meeting_date"] = pd.to_datetime(df["meeting_date"])
    df.attrs["total"] = int(total)
    return df


SHOWN = """SELECT c.case_id, c.partnership, c.body, c.meeting_date, c.number, c.title,
                  coalesce(c.decision, c.text, '') AS _text, c.outcome, c.topics, c.source_path, c.page, c.copies"""
BY_KEY = 100  # up to this many hits are fetched by an IN list of constants (an index lookup), more by a join


def _shown(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, dict[str, Any]]:
    """case id -> what a hit shows."""
    if len(ids) <= BY_KEY:
        rows = _records(con, f"{SHOWN} FROM cases c WHERE c.case_id IN ({', '.join('?' for _ in ids) or 'NULL'})",
                        ids)
    else:
        import pyarrow as pa  # here: most searches show few hits
        con.register("_ids", pa.table({"case_id": pa.array(ids, pa.string())}))
        try:
            rows = _records(con, f"{SHOWN} FROM _ids JOIN cases c USING (case_id)", [])
        finally:
            con.unregister("_ids")
    return {r["case_id"]: r for r in rows}


SEARCH_COLUMNS = ["score", "case_id", "partnership", "body", "meeting_date", "number", "title", "snippet", "outcome",
                  "topics", "source_path", "page", "copies"]


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


# within a meeting, a document's cases in their natural order (2/25 before 11/25)
CASE_ORDER = "meeting_date DESC NULLS LAST, partnership, body, doc_type, number_sort, case_id"


def decisions(con: duckdb.DuckDBPyConnection, f: Filters = Filters(), outcome: str | None = None,
              include_proposed: bool = True) -> pd.DataFrame:
    where, params = f.where()
    if outcome:
        where += " AND outcome = ?"
        params.append(outcome)
    if not include_proposed:
        where += " AND NOT proposed"
    lim, lp = f.limit_sql()
    return _framed(con, f"""SELECT case_id, partnership, body, meeting_date, number, title, label, decision, outcome,
                                   proposed, topics, source_path, page, copies, count(*) OVER () AS _total
                            FROM v_decisions WHERE {where} ORDER BY {CASE_ORDER}{lim}""", params + lp)


def cases(con: duckdb.DuckDBPyConnection, f: Filters = Filters()) -> pd.DataFrame:
    where, params = f.where()
    lim, lp = f.limit_sql()
    return _framed(con, f"""SELECT case_id, partnership, body, meeting_date, doc_type, number, title, case_type,
                                   decision, outcome, responsible, topics, source_path, page, copies,
                                   count(*) OVER () AS _total
                            FROM v_cases WHERE {where} ORDER BY {CASE_ORDER}{lim}""", params + lp)


def documents(con: duckdb.DuckDBPyConnection, f: Filters = Filters(), doc_type: str | None = None) -> pd.DataFrame:
    """Logical documents, each with the files of its copies (the preferred first)."""
    where, params = Filters(f.partnership, f.body, f.since, f.until, None, f.limit).where()
    if doc_type:
        where += " AND doc_type = ?"
        params.append(doc_type)
    lim, lp = f.limit_sql()
    return _framed(con, f"""SELECT doc_id, partnership, body, meeting_date, doc_type, organization, cases, attendees,
                                   page_start, page_end, copies, sources, count(*) OVER () AS _total
                            FROM v_documents WHERE {where}
                            ORDER BY meeting_date DESC NULLS LAST, partnership, body, doc_type, doc_id{lim}""",
                   params + lp)


def meetings(con: duckdb.DuckDBPyConnection, f: Filters = Filters()) -> pd.DataFrame:
    f2 = Filters(f.partnership, f.body, f.since, f.until, None, f.limit)
    where, params = f2.where()
    lim, lp = f2.limit_sql()
    return _framed(con, f"""SELECT partnership, body, meeting_date, start_time, end_time,
                                   location, chair, minute_taker, documents, doc_types, cases,
                                   count(*) OVER () AS _total
                            FROM (SELECT * EXCLUDE (body), coalesce(body_abbrev, body) AS body FROM v_meetings)
                            WHERE {where}
                            ORDER BY meeting_date DESC NULLS LAST, partnership, body{lim}""", params + lp)


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
    -- one status per {key} and meeting, present over absent over unknown: a meeting may have both
    -- minutes and a protocol, and an organisation is present when one of its people is
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
           round(count(*) FILTER (WHERE status = 'present') / any_value(held.held), 2) AS rate,
           count(*) OVER () AS _total
    FROM a JOIN held USING (partnership, body)
    GROUP BY {key}, a.partnership, a.body
    ORDER BY present DESC, {'organisation' if by == 'organisation' else 'name'}, a.partnership, a.body{lim}"""
    return _framed(con, sql, params + meetings_params + lp)


def people(con: duckdb.DuckDBPyConnection, f: Filters = Filters(), ambiguous: bool = False) -> pd.DataFrame:
    where, params = Filters(f.partnership).where()
    if ambiguous:
        return _framed(con, f"SELECT *, count(*) OVER () AS _total FROM person_ambiguities WHERE {where} "
                            "ORDER BY partnership, name, may_be", params)
    lim, lp = f.limit_sql()
    return _framed(con, f"""SELECT partnership, name, name_variants, organisations, meetings,
                                   count(*) OVER () AS _total FROM persons
                            WHERE {where} ORDER BY meetings DESC, name, partnership{lim}""", params + lp)


def topics(con: duckdb.DuckDBPyConnection, f: Filters = Filters(), by_year: bool = False) -> pd.DataFrame:
    f2 = Filters(f.partnership, f.body, f.since, f.until, None, None)
    where, params = f2.where("c")
    if f.topic:
        where += " AND lower(t.topic) = lower(?)"
        params.append(f.topic)
    year = ", year(c.meeting_date) AS year" if by_year else ""
    return _framed(con, f"""SELECT t.topic, c.partnership{year}, count(*) AS cases,
                                   count(*) FILTER (WHERE c.decision IS NOT NULL) AS decisions,
                                   count(*) OVER () AS _total
                            FROM case_topics t JOIN cases c USING (case_id) WHERE {where}
                            GROUP BY ALL ORDER BY {'year, ' if by_year else ''}cases DESC, t.topic, c.partnership""",
                   params)


def find_case(con: duckdb.DuckDBPyConnection, case_id: str) -> list[str]:
    """The case ids `case_id` names: itself, or those it begins (at least four characters)."""
    exact = con.execute("SELECT case_id FROM cases WHERE case_id = ?", [case_id]).fetchall()
    if exact or len(case_id) < 4:
        return [r for (r,) in exact]
    return [r for (r,) in con.execute("SELECT case_id FROM cases WHERE starts_with(case_id, ?) ORDER BY case_id "
                                      "LIMIT 10", [case_id]).fetchall()]


def show(con: duckdb.DuckDBPyConnection, case_id: str) -> dict[str, Any]:
    """One case whole: its meeting and document, its fields, its decision with the page and file of
    the decision text, attachments, references both ways, the same case in the meeting's other
    documents, topics, the copies it was read from with their pages, and where they disagree."""
    cid = case_id
    case = _records(con, "SELECT * EXCLUDE (sha256, sources) FROM cases WHERE case_id = ?", [cid])[0]
    meeting = _records(con, "SELECT * FROM meetings WHERE meeting_id = ?", [case["meeting_id"]])
    document = _records(con, "SELECT doc_id, doc_type, organization, page_start, page_end, copies, sources "
                             "FROM documents WHERE doc_id = ?", [case["doc_id"]])[0]
    decision = _records(con, "SELECT label, text, proposed, outcome, page, source_path FROM decisions "
                             "WHERE case_id = ?", [cid])
    from .references import incoming, outgoing  # resolved for this case alone, as v_references does
    refs_out, refs_in = outgoing(con, cid), incoming(con, cid)
    same = _records(con, """SELECT case_id, doc_type, number, title FROM cases
                            WHERE meeting_id = ? AND case_key = ? AND case_id <> ? ORDER BY doc_type, case_id""",
                    [case["meeting_id"], case["case_key"], cid])
    sources = _records(con, """SELECT s.source_path, f.format, s.page, s.decision_page, s.rank
                               FROM case_sources s JOIN source_files f USING (sha256)
                               WHERE s.case_id = ? ORDER BY s.rank""", [cid])
    attachments = [t for (t,) in con.execute("SELECT title FROM attachments WHERE case_id = ? ORDER BY seq",
                                             [cid]).fetchall()]
    quality = _records(con, """SELECT field, kind, kept_value, kept_source, other_value, other_source
                               FROM data_quality WHERE case_id = ? ORDER BY field, kind, other_source""", [cid])
    return {"case": case, "meeting": meeting[0] if meeting else None, "document": document,
            "decision": decision[0] if decision else None, "attachments": attachments,
            "references": refs_out, "referenced_by": refs_in, "same_case_in_meeting": same,
            "sources": sources, "data_quality": quality}


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    result = con.execute(sql, params)
    names = [d[0] for d in result.description or []]
    return [dict(zip(names, r)) for r in result.fetchall()]


def known_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """What the filters can name: the partnerships and bodies in the warehouse, the taxonomy's
    topics (and any other topic the warehouse holds), the document types."""
    taxonomy = list(vocab.taxonomy().topics)
    loaded = [t for (t,) in con.execute("SELECT DISTINCT topic FROM case_topics ORDER BY 1").fetchall()]
    return {
        "partnership": [p for (p,) in con.execute("SELECT DISTINCT partnership FROM source_files "
                                                  "ORDER BY 1").fetchall()],
        "body": [b for (b,) in con.execute("SELECT DISTINCT coalesce(body_abbrev, body) FROM documents "
                                           "WHERE coalesce(body_abbrev, body) IS NOT NULL ORDER BY 1").fetchall()],
        "topic": taxonomy + [t for t in loaded if t not in taxonomy],
        "doc_type": [t for (t,) in con.execute("SELECT DISTINCT doc_type FROM documents ORDER BY 1").fetchall()],
    }


def sql(con: duckdb.DuckDBPyConnection, statement: str) -> pd.DataFrame:
    """Any read-only SQL (the connection is opened read-only, without file access)."""
    if not statement.strip() or con.execute(statement) is None or con.description is None:
        raise duckdb.InvalidInputException("no SQL statement that returns rows was given")
    return con.df()


def tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = 'main' ORDER BY 1").fetchall()]
