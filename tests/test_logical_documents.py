"""One logical document, one row: copies of a document (a PDF and its text export, the same PDF
saved twice) are recognised by content and merged by the rule in pipeline/warehouse/merge.py, in the
warehouse itself, so SQL, views, exports, notebooks and the command line count the same rows."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import ROOT
from pipeline import derive
from pipeline.cli import main
from pipeline.models import Attendee, Case, Document, Extraction, SourceFile
from pipeline.warehouse import connection, load, merge, queries


def cli(*args, db: Path, env: dict | None = None):
    r = CliRunner().invoke(main, [*args, "--db", str(db)], env=env)
    assert r.exit_code == 0, r.output
    return r.stdout


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = connection.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# --- the bundled corpus: each referat as PDF, unruled PDF and text ---------------------------------

def test_readme_pandas_example_returns_each_decision_once(built_warehouse):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "v_decisions" in b]
    sql = re.search(r'"""(.*?)"""', block, re.S).group(1)
    con = connection.connect(str(built_warehouse), read_only=True)
    df = con.execute(sql).df()
    con.close()
    assert len(df) >= 3
    assert not df.duplicated(["partnership", "body", "meeting_date", "number"]).any(), df


def test_oslo_ssu_is_one_referat_with_eleven_cases(built_warehouse):
    [(docs, cases, types)] = rows(built_warehouse, "SELECT documents, cases, doc_types FROM v_meetings "
                                                   "WHERE partnership = 'oslo' AND body_abbrev = 'SSU'")
    assert (docs, cases, types) == (1, 11, ["referat"])
    [meeting] = json.loads(cli("meetings", "--partnership", "oslo", "--body", "SSU", "--format", "json",
                               db=built_warehouse))
    assert (meeting["documents"], meeting["cases"]) == (1, 11)
    [doc] = json.loads(cli("documents", "--partnership", "oslo", "--body", "SSU", "--type", "referat",
                           "--format", "json", db=built_warehouse))
    assert doc["cases"] == 11 and doc["attendees"] == 28 and doc["copies"] == 3
    assert doc["sources"][0].endswith("ssu-2025-03-07-referat.pdf")  # the born-digital PDF first
    assert {Path(s).name for s in doc["sources"]} == {"ssu-2025-03-07-referat.pdf", "ssu-2025-03-07-referat.txt",
                                                      "ssu-2025-03-07-referat.unruled.pdf"}


def test_every_face_counts_the_same_rows(built_warehouse, tmp_path):
    """Tables, views, the command line and an export agree, and no two rows are copies of one case."""
    [(cases, v_cases, decisions, v_decisions, attendees, v_attendance)] = rows(built_warehouse, """
        SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM v_cases), (SELECT count(*) FROM decisions),
               (SELECT count(*) FROM v_decisions), (SELECT count(*) FROM attendees),
               (SELECT count(*) FROM v_attendance)""")
    assert cases == v_cases and decisions == v_decisions and attendees == v_attendance
    assert len(json.loads(cli("cases", "--limit", "0", "--format", "json", db=built_warehouse))) == cases
    assert len(json.loads(cli("decisions", "--limit", "0", "--format", "json", db=built_warehouse))) == decisions
    cli("export", str(tmp_path / "csv"), "--format", "csv", db=built_warehouse)
    assert len(pd.read_csv(tmp_path / "csv" / "v_decisions.csv")) == decisions
    [(dupes,)] = rows(built_warehouse, "SELECT count(*) - count(DISTINCT (partnership, body, meeting_date, doc_type, "
                                       "number)) FROM cases WHERE number IS NOT NULL")
    assert dupes == 0
    # 28 people attended the Oslo meeting; they are 28 rows, not one per file holding the minutes
    [(listed,)] = rows(built_warehouse, "SELECT count(*) FROM v_attendance WHERE partnership = 'oslo' "
                                        "AND doc_type = 'referat'")
    assert listed == 28


def test_copies_are_listed_with_their_files_and_pages(built_warehouse):
    [(copies, sources)] = rows(built_warehouse, "SELECT copies, sources FROM cases WHERE partnership = 'oslo' "
                                                "AND number = '4/25'")
    assert copies == 3 and len(sources) == 3
    formats = rows(built_warehouse, """SELECT f.format, s.page FROM case_sources s JOIN cases c USING (case_id)
                                       JOIN source_files f ON f.sha256 = s.sha256
                                       WHERE c.partnership = 'oslo' AND c.number = '4/25' ORDER BY s.rank""")
    assert [f for f, _ in formats] == ["pdf", "pdf", "txt"] and all(p >= 1 for _, p in formats)


def test_where_copies_disagree_is_recorded_with_both_values(built_warehouse):
    # Vestfold SSU 29.02.24: the PDF states the status of three people whom the text copy leaves unknown
    gaps = rows(built_warehouse, """SELECT q.item_name, q.kept_value, q.other_value, q.other_source
                                    FROM data_quality q JOIN documents d USING (doc_id)
                                    WHERE d.partnership = 'vestfold' AND d.meeting_date = DATE '2024-02-29'
                                      AND q.field = 'status'""")
    assert len(gaps) == 3 and all(k in ("present", "absent") and o == "unknown" and s.endswith(".txt")
                                  for _, k, o, s in gaps)
    for name, kept, _, _ in gaps:  # a stated value beats unknown
        assert rows(built_warehouse, "SELECT DISTINCT status FROM attendees WHERE name = ?", [name]) == [(kept,)]
    # notice case 2024.20: the copies give different titles; one case, the PDF's title, the conflict kept
    [(title, source)] = rows(built_warehouse, "SELECT title, source_path FROM cases WHERE partnership = 'vestfold' "
                                              "AND doc_type = 'innkalling' AND number = '2024.20'")
    assert source.endswith(".pdf")
    conflicts = rows(built_warehouse, """SELECT kept_value, other_value FROM data_quality q JOIN cases c USING (case_id)
                                         WHERE c.number = '2024.20' AND c.doc_type = 'innkalling'
                                           AND q.field = 'title' AND q.kind = 'conflict'""")
    assert conflicts and all(k == title and o and o != k for k, o in conflicts)


# --- written fixtures: the merge rule, one field at a time ----------------------------------------

def _extraction(path: str, fmt: str, docs: list[Document], sha: str | None = None) -> Extraction:
    sha = sha or hashlib.sha256(path.encode()).hexdigest()
    return Extraction(SourceFile(path, sha, fmt, "testby", 100, 2), docs)


def _minutes(title3: str = "Budsjett 2025", chair: str | None = "Kari Nordmann", status: str = "present",
             extra_case: bool = False, date: str = "2025-01-30", body: str = "SSU") -> Document:
    cases = [Case("1/25", "Godkjenning av innkalling og saksliste", decision_label="Vedtak",
                  decision="Innkalling og saksliste godkjennes.", provenance={"page": 1}),
             Case("2/25", "Samhandling om utskrivningsklare pasienter", text="Kommunene og sykehuset orienterte om "
                  "tallene for utskrivningsklare pasienter og ventetid.", provenance={"page": 1}),
             Case("3/25", title3, text="Forslag til budsjett for helsefellesskapet ble lagt fram av sekretariatet.",
                  decision_label="Vedtak", decision="Budsjettet vedtas.", provenance={"page": 2})]
    if extra_case:
        cases.append(Case("4/25", "Eventuelt", provenance={"page": 2}))
    people = [Attendee("Kari Nordmann", "Testby kommune", status="present", provenance={"page": 1}),
              Attendee("Ola Hansen", "Sykehuset i Testby", status=status, provenance={"page": 1})]
    return Document("referat", "Helsefellesskapet Testby", "Strategisk samarbeidsutvalg", body, date, "09:00",
                    "11:00", None, chair, None, {"page_start": 1, "page_end": 2}, people, cases)


def _warehouse(tmp_path: Path, extractions: list[Extraction]) -> Path:
    db = tmp_path / "m.duckdb"
    con = load.connect(db)
    load.run_many(con, [(ex, None, derive.frames(ex)) for ex in extractions])
    merge.run(con)
    con.close()
    return db


def test_merge_rule_pdf_wins_stated_beats_unknown_and_every_difference_is_recorded(tmp_path):
    pdf = _extraction("raw/testby/ssu-referat.pdf", "pdf", [_minutes(chair=None, status="unknown")])
    txt = _extraction("raw/testby/eksport.txt", "txt", [_minutes(title3="Budsjett for 2025", extra_case=True)])
    db = _warehouse(tmp_path, [txt, pdf])
    [(n_docs, copies, sources, chair)] = rows(db, "SELECT count(*) OVER (), copies, sources, chair FROM documents")
    assert n_docs == 1 and copies == 2 and sources == ["raw/testby/ssu-referat.pdf", "raw/testby/eksport.txt"]
    assert chair == "Kari Nordmann"  # the PDF leaves it unknown, the text states it
    cases = rows(db, "SELECT number, title, source_path FROM cases ORDER BY number_sort")
    assert [c[0] for c in cases] == ["1/25", "2/25", "3/25", "4/25"]  # a case only the text has is kept
    assert cases[2][1] == "Budsjett 2025" and cases[2][2].endswith(".pdf")  # on conflict the PDF wins
    [(status,)] = rows(db, "SELECT status FROM attendees WHERE name = 'Ola Hansen'")
    assert status == "present"
    notes = {(item, field, kind, kept, other) for item, field, kind, kept, other in rows(
        db, "SELECT coalesce(item_name, item), field, kind, kept_value, other_value FROM data_quality")}
    assert ("3/25", "title", "conflict", "Budsjett 2025", "Budsjett for 2025") in notes
    assert ("document", "chair", "gap", "Kari Nordmann", None) in notes
    assert ("Ola Hansen", "status", "gap", "present", "unknown") in notes
    assert ("4/25", "case", "missing", "4/25", None) in notes


def test_different_documents_are_never_merged(tmp_path):
    """Same partnership, body and type: other meetings, and a bundle's own documents, stay apart."""
    other_day = _minutes(date="2025-03-13")
    other_case = Document("referat", None, None, "SSU", "2025-01-30", cases=[
        Case("9/25", "Nytt lokale for legevakten", text="Legevakten flytter til nye lokaler i sentrum.")])
    bundle = _extraction("raw/testby/bunt.pdf", "pdf", [_minutes(), _minutes()])  # the same minutes twice in a file
    db = _warehouse(tmp_path, [_extraction("raw/testby/a.pdf", "pdf", [_minutes()]),
                               _extraction("raw/testby/b.pdf", "pdf", [other_day]),
                               _extraction("raw/testby/c.pdf", "pdf", [other_case]), bundle])
    docs = rows(db, "SELECT meeting_date, copies, sources FROM documents ORDER BY meeting_date, copies")
    assert len(docs) == 4
    assert sorted(c for _, c, _ in docs) == [1, 1, 1, 2]
    assert all(len(set(s)) == len(s) for _, _, s in docs)  # never two documents of one file in one row


def test_only_copies_that_may_be_one_document_are_split_into_words(tmp_path, monkeypatch):
    """The words of a copy are made only to compare it with another copy of its day (or an undated
    one) whose header agrees: the minutes of other days are compared with nothing."""
    split: list[list[str]] = []
    real_terms = merge._terms
    monkeypatch.setattr(merge, "_terms", lambda cases: split.append([c["case_key"] for c in cases])
                        or real_terms(cases))
    exs = [_extraction("raw/testby/a.pdf", "pdf", [_minutes(date="2025-01-30")]),
           _extraction("raw/testby/a.txt", "txt", [_minutes(date="2025-01-30", title3="Budsjett for 2025")]),
           _extraction("raw/testby/b.pdf", "pdf", [_minutes(date="2025-03-13")]),
           _extraction("raw/testby/c.pdf", "pdf", [_minutes(date="2025-03-13", body="FSU")]),
           _extraction("raw/testby/d.pdf", "pdf", [_minutes(date="2025-06-05")])]
    db = _warehouse(tmp_path, exs)
    assert len(split) == 2  # the two copies of 30 January; 13 March's two bodies differ, 5 June is alone
    assert sorted(rows(db, "SELECT meeting_date::VARCHAR, copies FROM documents")) == [
        ("2025-01-30", 2), ("2025-03-13", 1), ("2025-03-13", 1), ("2025-06-05", 1)]


def test_copies_are_known_by_content_not_by_name(tmp_path):
    same = _extraction("raw/testby/noe-helt-annet.txt", "txt", [_minutes()])
    db = _warehouse(tmp_path, [_extraction("raw/testby/ssu-2025-01-30-referat.pdf", "pdf", [_minutes()]), same])
    assert rows(db, "SELECT count(*), max(copies) FROM documents") == [(1, 2)]


def test_the_merge_does_not_depend_on_the_order_files_were_loaded(tmp_path):
    exs = [_extraction("raw/testby/a.pdf", "pdf", [_minutes(chair=None)]),
           _extraction("raw/testby/b.txt", "txt", [_minutes(title3="Budsjett for 2025")]),
           _extraction("raw/testby/c.md", "md", [_minutes(extra_case=True)])]
    first = _warehouse(tmp_path / "1", exs)
    second = tmp_path / "2" / "m.duckdb"
    second.parent.mkdir()
    con = load.connect(second)
    for ex in reversed(exs):  # one file per transaction, merged after each
        load.run_many(con, [(ex, None, derive.frames(ex))])
        merge.run(con)
    con.close()
    for table in ("documents", "cases", "decisions", "attendees", "case_sources", "data_quality"):
        assert sorted(rows(first, f"SELECT * FROM {table}"), key=repr) == sorted(
            rows(second, f"SELECT * FROM {table}"), key=repr), table


def test_ids_are_stable_across_rebuilds_and_new_copies(tmp_path):
    pdf = _extraction("raw/testby/a.pdf", "pdf", [_minutes()])
    alone = rows(_warehouse(tmp_path / "1", [pdf]), "SELECT case_id, number FROM cases ORDER BY 2")
    (tmp_path / "2").mkdir()
    with_copy = rows(_warehouse(tmp_path / "2", [pdf, _extraction("raw/testby/b.txt", "txt", [_minutes()])]),
                     "SELECT case_id, number FROM cases ORDER BY 2")
    assert alone == with_copy and len({i for i, _ in alone}) == 3


def test_decision_page_comes_from_the_record_where_it_gives_one(tmp_path):
    doc = _minutes()
    doc.cases[2].decision_provenance = {"page": 3}  # type: ignore[attr-defined]  # CONTRACT.md's optional field
    db = _warehouse(tmp_path, [_extraction("raw/testby/a.pdf", "pdf", [doc])])
    assert rows(db, "SELECT c.page, d.page, d.source_path FROM decisions d JOIN cases c USING (case_id) "
                    "WHERE c.number = '3/25'") == [(2, 3, "raw/testby/a.pdf")]
    assert rows(db, "SELECT c.page, d.page FROM decisions d JOIN cases c USING (case_id) "
                    "WHERE c.number = '1/25'") == [(1, 1)]  # without one: the page the case starts on


def test_a_changed_or_removed_copy_is_merged_again(tmp_path):
    db = tmp_path / "m.duckdb"
    pdf = _extraction("raw/testby/a.pdf", "pdf", [_minutes()])
    txt = _extraction("raw/testby/b.txt", "txt", [_minutes()])
    con = load.connect(db)
    load.run_many(con, [(ex, None, derive.frames(ex)) for ex in (pdf, txt)])
    assert merge.pending(con) == 1
    merge.run(con)
    assert con.execute("SELECT copies FROM documents").fetchall() == [(2,)]
    load.remove_file(con, pdf.source.sha256)
    merge.run(con)
    assert con.execute("SELECT copies, source_path FROM documents").fetchall() == [(1, "raw/testby/b.txt")]
    load.remove_file(con, txt.source.sha256)
    merge.run(con)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM meetings").fetchone()[0] == 0
    con.close()


@pytest.mark.parametrize("number, key", [("2/25", "00000002/00000025"), ("2024.10", "00002024.00000010"),
                                          ("Sak 98/2024", "sak 00000098/00002024"), (None, None)])
def test_number_sort_key(number, key):
    assert derive.number_sort(number) == key


def test_natural_order_of_case_numbers(built_warehouse):
    oslo = [r["number"] for r in json.loads(cli("cases", "--partnership", "oslo", "--body", "SSU", "--format", "json",
                                                db=built_warehouse))]
    assert oslo == [f"{n}/25" for n in range(1, 12)]
    minutes = rows(built_warehouse, "SELECT number FROM cases WHERE partnership = 'vestfold' AND body = 'SSU' "
                                    "AND doc_type = 'referat' ORDER BY number_sort")
    assert [n for (n,) in minutes] == [f"2024.{n}" for n in range(1, 11)]


def test_queries_read_logical_rows(built_warehouse):
    con = queries.connect(built_warehouse)
    try:
        found = queries.search(con, "rehabilitering", queries.Filters(limit=None))
        assert not found.duplicated("case_id").any() and found.attrs["total"] == len(found)
        dec = queries.decisions(con, queries.Filters(limit=None))
        assert not dec.duplicated(["partnership", "body", "meeting_date", "number", "title"]).any()
    finally:
        con.close()
