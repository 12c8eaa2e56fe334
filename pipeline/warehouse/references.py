"""The references of one case, both ways, as the view v_references resolves them (schema.sql: a
reference's meeting, and its target case: the case with that number in the same partnership, its
minutes before its notice or case paper), but worked out for that one case only. The view resolves
every reference in the warehouse before it can filter (some 40 ms at 100,000 cases, twice for a
case's page); these read the case's own references, and for the references to it only those naming
its number. tests/test_references.py checks them against the view on every case."""
from __future__ import annotations

from typing import Any

import duckdb

from .queries import _records

# the target of a reference: arg_min over the candidate cases c, minutes first (v_references)
TARGET = ("arg_min(c.case_id, (CASE WHEN c.doc_type IN ('referat', 'protokoll') THEN '0' ELSE '1' END) "
          "|| c.case_id)")
# a candidate target c of a reference r made in a case of partnership p
CANDIDATE = ("c.case_key = r.ref_case_key AND c.case_id <> r.case_id AND c.partnership = r.partnership "
             "AND (r.ref_body IS NULL OR c.body = r.ref_body)")


def outgoing(con: duckdb.DuckDBPyConnection, case_id: str) -> list[dict[str, Any]]:
    """What the case refers to: each reference with its meeting and target case, by its text."""
    return _records(con, f"""
        WITH r AS (SELECT r.rowid AS rid, r.*, src.partnership FROM case_references r
                   JOIN cases src USING (case_id) WHERE r.case_id = ?),
        m AS (SELECT r.rid, min(m.meeting_id) AS meeting_id FROM r JOIN meetings m
              ON m.partnership = r.partnership AND m.body_abbrev = r.ref_body AND m.meeting_date = r.ref_date
              GROUP BY r.rid),
        t AS (SELECT r.rid, {TARGET} AS target_case_id FROM r JOIN cases c ON {CANDIDATE} GROUP BY r.rid)
        SELECT r.ref_text, r.ref_body, r.ref_date, r.ref_case_key, m.meeting_id, t.target_case_id,
               tc.number AS target_number, tc.title AS target_title, tc.meeting_date AS target_date,
               tc.doc_type AS target_doc_type
        FROM r LEFT JOIN m USING (rid) LEFT JOIN t USING (rid) LEFT JOIN cases tc ON tc.case_id = t.target_case_id
        ORDER BY r.ref_text, r.rid""", [case_id])


def incoming(con: duckdb.DuckDBPyConnection, case_id: str) -> list[dict[str, Any]]:
    """The cases that refer to this one: those naming its number whose reference resolves to it."""
    return _records(con, f"""
        WITH x AS (SELECT case_id, case_key, partnership, body FROM cases WHERE case_id = ?),
        r AS (SELECT r.rowid AS rid, r.case_id, r.ref_text, r.ref_body, r.ref_case_key, src.partnership
              FROM case_references r JOIN cases src USING (case_id) JOIN x ON r.ref_case_key = x.case_key
                   AND src.partnership = x.partnership AND (r.ref_body IS NULL OR x.body = r.ref_body)
              WHERE r.case_id <> x.case_id),
        t AS (SELECT r.rid, {TARGET} AS target_case_id FROM r JOIN cases c ON {CANDIDATE} GROUP BY r.rid)
        SELECT r.case_id, c.number, c.title, c.meeting_date, c.doc_type, r.ref_text
        FROM r JOIN t USING (rid) JOIN cases c ON c.case_id = r.case_id
        WHERE t.target_case_id = (SELECT case_id FROM x)
        ORDER BY c.meeting_date, c.case_id, r.ref_text, r.rid""", [case_id])
