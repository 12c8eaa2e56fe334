from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from pipeline import cli, models
from pipeline.cli import main
from pipeline.warehouse import connection

from .conftest import RAW, ROOT


def test_extract_json_via_clirunner_keeps_norwegian_letters():
    res = CliRunner().invoke(main, ["extract", str(RAW / "oslo" / "ssu-2025-03-07-referat.pdf"), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["schema_version"] == 1 and data["source"]["partnership"] == "oslo"
    assert data["source"]["pages"] == 5
    assert "Kirsten Sæther" in res.output  # ensure_ascii=False
    doc = data["documents"][0]
    assert doc["cases"][0]["provenance"]["page"] == 1 and doc["attendees"][0]["provenance"]["page"] == 1


def test_extract_as_subprocess_writes_nothing(tmp_path):
    exe = shutil.which("minutes") or str(Path(sys.executable).parent / "minutes")
    before = set(tmp_path.iterdir())
    out = subprocess.run([exe, "extract", str(RAW / "vestfold" / "ssu-2024-05-23-innkalling-bundle.txt"), "--json"],
                         capture_output=True, text=True, cwd=tmp_path, check=True)
    assert len(json.loads(out.stdout)["documents"]) == 9
    assert set(tmp_path.iterdir()) == before


def test_extract_bad_file_names_file_and_reason(tmp_path):
    bad = tmp_path / "tom fil.pdf"
    bad.write_bytes(b"")
    res = CliRunner().invoke(main, ["extract", str(bad), "--json"])
    assert res.exit_code != 0 and "tom fil.pdf" in res.output and "empty" in res.output


def test_every_command_has_help_and_is_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, cmd in cli.main.commands.items():
        assert cmd.help, name
        assert re.search(rf"minutes {name}\b", readme), f"{name} missing from README"


def test_build_loads_all_and_rerun_is_noop(built_warehouse):
    con = connection.connect(str(built_warehouse), read_only=True)
    files = con.execute("SELECT count(*) FROM source_files").fetchone()[0]
    assert files == len([p for p in RAW.rglob("*") if p.is_file()])
    assert con.execute("SELECT count(*) FROM documents WHERE partnership='vestfold'").fetchone()[0] >= 9
    assert con.execute("SELECT count(*) FROM cases WHERE page IS NULL").fetchone()[0] == 0
    name = con.execute("SELECT name FROM attendees WHERE name LIKE 'Kirsten S%' LIMIT 1").fetchone()[0]
    assert name == "Kirsten Sæther"
    con.close()


def test_build_records_bad_file_and_loads_the_rest(tmp_path):
    raw = tmp_path / "raw" / "oslo"
    raw.mkdir(parents=True)
    shutil.copy(RAW / "oslo" / "ssu-2025-03-07-referat.txt", raw / "god.txt")
    (raw / "ødelagt «fil».pdf").write_bytes(b"not a pdf at all")
    db = tmp_path / "w.duckdb"
    res = CliRunner().invoke(main, ["build", "--raw", str(tmp_path / "raw"), "--db", str(db),
                                    "--extracted", str(tmp_path / "ex"), "--json"])
    assert res.exit_code == 1
    summary = json.loads(res.stdout)
    assert summary["failed"] == 1 and summary["documents"] == 1
    con = connection.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == 11
    reason = con.execute("SELECT reason FROM load_errors").fetchone()[0]
    assert "not a PDF" in reason
    con.close()
    again = CliRunner().invoke(main, ["build", "--raw", str(tmp_path / "raw"), "--db", str(db),
                                      "--extracted", str(tmp_path / "ex"), "--json"])
    assert json.loads(again.stdout)["failed_before"] == 1 and json.loads(again.stdout)["parsed"] == 0


def test_votes_reach_the_warehouse(tmp_path):
    raw = tmp_path / "raw" / "testby"
    raw.mkdir(parents=True)
    (raw / "protokoll.txt").write_text(
        "Møteprotokoll for formannskapet 3. mars 2025\nSak 12/25 Budsjett\nVedtak: Budsjettet vedtas.\n"
        "Vedtatt med 5 mot 2 stemmer.\nSak 13/25 Eventuelt\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    res = CliRunner().invoke(main, ["build", "--raw", str(tmp_path / "raw"), "--db", str(db),
                                    "--extracted", str(tmp_path / "ex"), "--json", "--jobs", "0"])
    assert res.exit_code == 0, res.output
    con = connection.connect(str(db), read_only=True)
    rows = con.execute('SELECT number, vote."for", vote.against, vote.unanimous FROM v_decisions').fetchall()
    con.close()
    assert rows == [("12/25", 5, 2, False)]


def test_schema_has_a_table_for_each_record():
    schema = (ROOT / "pipeline" / "warehouse" / "schema.sql").read_text(encoding="utf-8")
    con = connection.connect(":memory:")
    con.execute(schema)
    cols = {t: {r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()}
            for t in ("documents", "cases", "attendees", "attachments", "copy_cases")}
    doc_fields = set(models.Document.__dataclass_fields__) - {"attendees", "cases", "provenance"}
    assert doc_fields <= cols["documents"]
    case_fields = set(models.Case.__dataclass_fields__) - {"provenance", "attachments", "decision_provenance"}
    assert case_fields <= cols["cases"] | {"page"}
    assert "decision_page" in cols["copy_cases"]  # Case.decision_provenance: where the decision is
    assert {"case_id", "title"} <= cols["attachments"]  # Case.attachments: one row per vedlegg
    assert set(models.Attendee.__dataclass_fields__) - {"provenance"} <= cols["attendees"]


def test_a_warehouse_from_an_earlier_version_gains_new_columns_in_place(built_warehouse, tmp_path):
    """Columns added since a warehouse was built are added by ALTER … IF NOT EXISTS before the
    views that use them are made again; the rows already loaded stay."""
    import shutil

    from pipeline.warehouse import load
    db = tmp_path / "old.duckdb"
    shutil.copy(built_warehouse, db)
    con = connection.connect(str(db))
    views = [v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    for v in views:
        con.execute(f"DROP VIEW {v}")
    for table, column in (("copy_cases", "decision_page"), ("search_terms", "doc_len"),
                          ("source_files", "pipeline_version")):
        con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    before = con.execute("SELECT count(*) FROM cases").fetchone()[0]
    con.close()
    con = load.connect(db)  # what the next build does first
    try:
        assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == before > 0
        cols = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = 'copy_cases'").fetchall()}
        assert "decision_page" in cols
        assert con.execute("SELECT count(*) FROM v_attendance").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM v_cases").fetchone()[0] == before
    finally:
        con.close()


def test_a_warehouse_of_the_layout_before_copies_were_merged_is_made_again(tmp_path):
    """A warehouse of a version before 0.6 (one row per file's document in `documents`): queries say to build,
    and the next build makes it again from raw/."""
    raw = tmp_path / "raw" / "oslo"
    raw.mkdir(parents=True)
    shutil.copy(RAW / "oslo" / "ssu-2025-03-07-referat.txt", raw)
    db = tmp_path / "w.duckdb"
    con = connection.connect(str(db))
    con.execute("CREATE TABLE source_files (sha256 VARCHAR PRIMARY KEY, path VARCHAR NOT NULL, format VARCHAR, "
                "partnership VARCHAR, pages INTEGER, loaded_at TIMESTAMP, pipeline_version VARCHAR)")
    con.execute("CREATE TABLE load_errors (path VARCHAR, sha256 VARCHAR, reason VARCHAR, failed_at TIMESTAMP)")
    con.execute("CREATE TABLE documents (doc_id VARCHAR PRIMARY KEY, sha256 VARCHAR, seq INTEGER)")
    con.execute("CREATE VIEW v_documents AS SELECT * FROM documents")
    con.close()
    r = CliRunner().invoke(main, ["cases", "--db", str(db)])
    assert r.exit_code == 1 and "earlier version" in r.output and "minutes build" in r.output
    r = CliRunner().invoke(main, ["status", "--raw", str(tmp_path / "raw"), "--db", str(db)])
    assert r.exit_code == 0 and "ssu-2025-03-07-referat.txt" in r.output
    r = CliRunner().invoke(main, ["build", "--raw", str(tmp_path / "raw"), "--db", str(db),
                                  "--extracted", str(tmp_path / "ex"), "--jobs", "0"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["cases", "--db", str(db), "--format", "json"])
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 11
