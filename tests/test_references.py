"""A case's references, both ways, worked out for that case alone (warehouse/references.py) are the
rows the view v_references gives for it, on every case of the bundled corpus."""
from __future__ import annotations

from pipeline.warehouse import queries, references


def _rows(records: list[dict]) -> list[tuple]:
    return sorted(tuple(str(v) for v in r.values()) for r in records)


def test_references_of_every_case_equal_the_view(built_warehouse):
    con = queries.connect(built_warehouse)
    try:
        ids = [c for (c,) in con.execute("SELECT case_id FROM cases ORDER BY case_id").fetchall()]
        resolved = con.execute("SELECT count(*) FROM v_references WHERE target_case_id IS NOT NULL").fetchone()[0]
        assert resolved > 0, "the corpus has references that resolve to a case"
        seen_out = seen_in = 0
        for cid in ids:
            out = queries._records(con, """
                SELECT r.ref_text, r.ref_body, r.ref_date, r.ref_case_key, r.meeting_id, r.target_case_id,
                       t.number AS target_number, t.title AS target_title, t.meeting_date AS target_date,
                       t.doc_type AS target_doc_type
                FROM v_references r LEFT JOIN cases t ON t.case_id = r.target_case_id WHERE r.case_id = ?""", [cid])
            into = queries._records(con, """
                SELECT r.case_id, c.number, c.title, c.meeting_date, c.doc_type, r.ref_text
                FROM v_references r JOIN cases c USING (case_id) WHERE r.target_case_id = ?""", [cid])
            got_out, got_in = references.outgoing(con, cid), references.incoming(con, cid)
            assert _rows(got_out) == _rows(out), cid
            assert _rows(got_in) == _rows(into), cid
            assert [r["ref_text"] for r in got_out] == sorted(r["ref_text"] for r in got_out)
            seen_out += len(out)
            seen_in += len(into)
        assert seen_out > 0 and seen_in > 0
    finally:
        con.close()
