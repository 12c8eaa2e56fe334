"""The command line's answers for people: tables that fit the terminal, blanks, what a limit cut,
dates and lists in JSON and CSV, clear answers to mistakes, one case whole (`minutes show`), the
documents (`minutes documents`), and queries while a build is writing."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import RAW, ROOT
from pipeline.cli import main
from pipeline.warehouse import connection

MINUTES = [sys.executable, "-m", "pipeline"]
LISTS = [["cases"], ["decisions"], ["search", "rehabilitering"], ["meetings"], ["documents"], ["attendance"],
         ["attendance", "--by", "organisation"], ["people"], ["topics", "--by-year"],
         ["sql", "SELECT * FROM v_cases"]]


def invoke(*args, db: Path, columns: int = 80):
    return CliRunner().invoke(main, [*args, "--db", str(db)], env={"COLUMNS": str(columns)})


def ok(*args, db: Path, columns: int = 80) -> str:
    r = invoke(*args, db=db, columns=columns)
    assert r.exit_code == 0, r.output
    return r.stdout


# --- readable output ------------------------------------------------------------------------------

@pytest.mark.parametrize("columns", [80, 100, 120])
@pytest.mark.parametrize("args", LISTS, ids=lambda a: " ".join(a)[:30])
def test_tables_fit_the_terminal_and_show_blanks(built_warehouse, args, columns):
    out = ok(*args, "--limit", "0", db=built_warehouse, columns=columns) if args[0] not in ("topics", "sql") else \
        ok(*args, db=built_warehouse, columns=columns)
    lines = out.splitlines()
    assert len(lines) > 1
    if args[0] != "sql":  # every command chooses its columns to fit; `sql` cuts text columns as far as it can
        assert max(len(line) for line in lines) <= columns, max(lines, key=len)
    for word in ("NaN", "None", "NaT", "nan", "<NA>"):
        assert word not in out.split(), word


def test_cases_table_fits_120_columns_and_wide_shows_everything(built_warehouse):
    out = ok("cases", "--limit", "0", db=built_warehouse, columns=120)
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "…" in out  # long titles are cut, not wrapped
    wide = ok("cases", "--limit", "0", "--wide", db=built_warehouse, columns=120)
    header = wide.splitlines()[0].split()
    assert {"responsible", "topics", "decision", "copies"} <= set(header)
    assert "Godkjenne innkalling og dagsorden" in wide


def test_a_cut_list_says_how_many_rows_there_are(built_warehouse):
    con = connection.connect(str(built_warehouse), read_only=True)
    total = con.execute("SELECT count(*) FROM cases").fetchone()[0]
    con.close()
    out = ok("cases", "--limit", "5", db=built_warehouse)
    assert out.splitlines()[-1].startswith(f"showing 5 of {total}")
    r = invoke("cases", "--limit", "5", "--format", "json", db=built_warehouse)
    assert len(json.loads(r.stdout)) == 5 and f"showing 5 of {total}" in r.stderr  # the data stays clean
    assert "showing" not in ok("cases", "--limit", "0", db=built_warehouse)


def test_every_list_prints_the_case_id_that_show_takes(built_warehouse):
    for args in (["cases"], ["decisions"], ["search", "rehabilitering"]):
        rows = json.loads(ok(*args, "--format", "json", db=built_warehouse))
        assert rows and all(r["case_id"] for r in rows)
        assert ok("show", rows[0]["case_id"], db=built_warehouse)
        assert ok(*args, db=built_warehouse).splitlines()[0].split()[:2] in (["id", "date"], ["score", "id"])


def test_json_dates_are_iso_dates(built_warehouse):
    rows = json.loads(ok("decisions", "--format", "json", "--limit", "0", db=built_warehouse))
    dates = {r["meeting_date"] for r in rows if r["meeting_date"]}
    assert "2025-03-07" in dates and all(len(d) == 10 for d in dates)
    assert all(isinstance(r["topics"], list) for r in rows)
    status = json.loads(ok("sql", "SELECT loaded_at FROM source_files LIMIT 1", "--format", "json",
                           db=built_warehouse))
    assert "T" in status[0]["loaded_at"] and status[0]["loaded_at"].count(":") == 2  # a time keeps its time


def test_csv_export_round_trips_through_pandas(built_warehouse, tmp_path):
    ok("export", str(tmp_path / "out"), "--format", "csv", db=built_warehouse)
    con = connection.connect(str(built_warehouse), read_only=True)
    expected = con.execute("SELECT case_id, responsible, topics, sources, meeting_date FROM v_cases "
                           "ORDER BY case_id").fetchall()
    con.close()
    path = tmp_path / "out" / "v_cases.csv"
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(expected) + 1  # one record per line
    df = pd.read_csv(path, keep_default_na=False).sort_values("case_id")
    assert len(df) == len(expected)
    for (case_id, responsible, topics, sources, day), (_, got) in zip(expected, df.iterrows()):
        assert got["case_id"] == case_id
        assert json.loads(got["responsible"]) == responsible and json.loads(got["topics"]) == topics
        assert json.loads(got["sources"]) == sources
        assert got["meeting_date"] == (day.isoformat() if day else "")
    cases_csv = ok("cases", "--format", "csv", "--limit", "0", db=built_warehouse)
    assert "array(" not in cases_csv and "['" not in cases_csv


# --- mistakes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, named", [
    (["cases", "--partnership", "nosuch"], ["oslo", "vestfold"]),
    (["decisions", "--body", "XYZ"], ["SSU", "FSU"]),
    (["cases", "--topic", "rus"], ["psykisk helse og rus", "did you mean"]),
    (["search", "samarbeid", "--topic", "bogus"], ["rehabilitering"]),
    (["documents", "--type", "brev"], ["referat", "innkalling"]),
])
def test_an_unknown_filter_value_names_the_known_ones(built_warehouse, args, named):
    r = invoke(*args, db=built_warehouse)
    assert r.exit_code == 2, r.output
    for word in named:
        assert word in r.output


def test_files_not_read_are_listed_with_the_reason(tmp_path):
    raw = tmp_path / "raw"
    (raw / "oslo").mkdir(parents=True)
    shutil.copy(RAW / "oslo" / "ssu-2025-03-07-referat.txt", raw / "oslo")
    shutil.copy(RAW / "oslo" / "ssu-2025-03-07-referat.txt", raw / "løs-referat.txt")
    (raw / "oslo" / "referat.docx").write_bytes(b"PK\x03\x04 not really")
    (raw / "oslo" / ".DS_Store").write_bytes(b"\0")
    db = tmp_path / "m.duckdb"
    r = CliRunner().invoke(main, ["build", "--raw", str(raw), "--db", str(db), "--extracted", str(tmp_path / "ex"),
                                  "--jobs", "0"])
    assert r.exit_code == 0, r.output
    skipped = [line for line in r.output.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 2
    assert any("løs-referat.txt" in s and "raw/<partnership>/" in s for s in skipped)
    assert any("referat.docx" in s and "Word document" in s for s in skipped)
    con = connection.connect(str(db), read_only=True)
    assert con.execute("SELECT DISTINCT partnership FROM source_files").fetchall() == [("oslo",)]
    con.close()
    r = CliRunner().invoke(main, ["status", "--raw", str(raw), "--db", str(db)], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    assert sum("skipped" in line.split() for line in r.output.splitlines()) == 2
    r = CliRunner().invoke(main, ["build", "--raw", str(raw), "--db", str(db), "--extracted", str(tmp_path / "ex"),
                                  "--json"])
    assert {Path(s["path"]).name for s in json.loads(r.stdout)["skipped_files"]} == {"løs-referat.txt",
                                                                                     "referat.docx"}


def test_show_with_an_unknown_or_ambiguous_id_says_so(built_warehouse):
    r = invoke("show", "zzzzzzzzzz", db=built_warehouse)
    assert r.exit_code == 2 and "no case has the id" in r.output


# --- show and documents ---------------------------------------------------------------------------

def _case_id(db: Path, number: str, partnership: str = "oslo") -> str:
    con = connection.connect(str(db), read_only=True)
    [(case_id,)] = con.execute("SELECT case_id FROM cases WHERE partnership = ? AND number = ? AND doc_type = "
                               "'referat'", [partnership, number]).fetchall()
    con.close()
    return case_id


def test_show_prints_one_case_whole(built_warehouse):
    case_id = _case_id(built_warehouse, "3/25")
    out = ok("show", case_id, db=built_warehouse, columns=100)
    assert out.startswith("Case 3/25: Rehabilitering i helsefellesskapet")
    for part in (case_id, "oslo, SSU, 2025-03-07, 08:30–10:30", "Kirsten Sæther", "rehabilitering",
                 "Vedtak (taken; outcome: noted; page 2 of ", "/oslo/ssu-2025-03-07-referat.pdf)",
                 "SSU tar innledningen til etterretning", "Read from", "ssu-2025-03-07-referat.txt (txt), page 1"):
        assert part in out, part
    assert max(len(line) for line in out.splitlines()) <= 100
    assert ok("show", case_id[:6], db=built_warehouse) == ok("show", case_id, db=built_warehouse)


def test_show_as_json(built_warehouse):
    case_id = _case_id(built_warehouse, "4/25")
    shown = json.loads(ok("show", case_id, "--format", "json", db=built_warehouse))
    assert shown["case"]["number"] == "4/25" and shown["case"]["meeting_date"] == "2025-03-07"
    assert "Presentasjon HLS til SSU 07.03.25" in shown["attachments"]
    assert [s["format"] for s in shown["sources"]] == ["pdf", "pdf", "txt"]
    assert shown["meeting"]["chair"] == "Tone Ikdahl" and shown["decision"]["label"]


def test_show_gives_references_both_ways(built_warehouse):
    con = connection.connect(str(built_warehouse), read_only=True)
    pairs = con.execute("SELECT case_id, target_case_id FROM v_references WHERE target_case_id IS NOT NULL").fetchall()
    con.close()
    assert pairs
    source, target = pairs[0]
    assert target in json.dumps(json.loads(ok("show", source, "--format", "json", db=built_warehouse))["references"])
    assert source in json.dumps(json.loads(ok("show", target, "--format", "json",
                                              db=built_warehouse))["referenced_by"])


def test_documents_lists_each_document_once_with_its_files(built_warehouse):
    docs = json.loads(ok("documents", "--limit", "0", "--format", "json", db=built_warehouse))
    con = connection.connect(str(built_warehouse), read_only=True)
    n, files = con.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM source_files)").fetchone()
    con.close()
    assert len(docs) == n < files * 9
    assert all(len(d["sources"]) == d["copies"] >= 1 for d in docs)
    assert sum(d["copies"] for d in docs) == 36  # every document read from the 12 files, once each
    assert {d["doc_type"] for d in docs} >= {"referat", "innkalling", "saksfremlegg", "styresak"}
    table = ok("documents", db=built_warehouse)
    assert table.splitlines()[0].split()[:2] == ["id", "date"]


# --- a query while a build writes -----------------------------------------------------------------

def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}


def test_a_query_while_a_build_is_writing_waits_for_it_and_answers(built_warehouse, tmp_path):
    db = tmp_path / "m.duckdb"
    shutil.copy(built_warehouse, db)
    writer = subprocess.Popen([sys.executable, "-c", f"""
import sys, time
from pathlib import Path
from pipeline.builder.lock import warehouse_lock
from pipeline.warehouse import load
with warehouse_lock(Path({str(db)!r})):
    con = load.connect(Path({str(db)!r}))
    print("writing", flush=True)
    time.sleep(6)  # long enough for the query process to start on a loaded machine
    con.execute("DELETE FROM cases WHERE number = '11/25'")
    con.close()
"""], stdout=subprocess.PIPE, text=True, env=_env())
    assert writer.stdout.readline().strip() == "writing"
    started = time.monotonic()
    r = subprocess.run([*MINUTES, "cases", "--partnership", "oslo", "--body", "SSU", "--format", "json", "--db",
                        str(db)], capture_output=True, text=True, env=_env(), timeout=60)
    writer.wait(timeout=30)
    assert r.returncode == 0, r.stderr
    assert "is writing" in r.stderr and time.monotonic() - started > 1
    assert len(json.loads(r.stdout)) == 10  # what the build committed


def test_queries_during_a_real_build_never_fail(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    db = tmp_path / "m.duckdb"
    first = subprocess.run([*MINUTES, "build", "--raw", str(raw), "--db", str(db), "--extracted",
                            str(tmp_path / "ex")], capture_output=True, text=True, env=_env(), timeout=300)
    assert first.returncode == 0, first.stderr
    for p in raw.rglob("*.txt"):  # every text copy changes: the next build reads and merges them again
        p.write_text(p.read_text(encoding="utf-8") + "\nEndret.\n", encoding="utf-8")
    build = subprocess.Popen([*MINUTES, "build", "--raw", str(raw), "--db", str(db), "--extracted",
                              str(tmp_path / "ex")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    codes = []
    while build.poll() is None:
        r = subprocess.run([*MINUTES, "meetings", "--format", "json", "--db", str(db)], capture_output=True,
                           text=True, env=_env(), timeout=120)
        codes.append(r.returncode)
        assert r.returncode == 0, r.stderr
        assert all(m["documents"] >= 1 for m in json.loads(r.stdout))
    assert build.wait() == 0 and codes


def test_the_ids_in_the_readme_open_the_cases_it_shows(built_warehouse):
    """Ids come from a case's partnership, type, body, date and number, not from paths or load order:
    the README's examples, made from a build in the project folder, name the same cases here."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "minutes show 4gtjugmlb2" in readme
    shown = json.loads(ok("show", "4gtjugmlb2", "--format", "json", db=built_warehouse))
    assert (shown["case"]["number"], shown["case"]["partnership"]) == ("4/25", "oslo")
    listed = json.loads(ok("decisions", "--limit", "6", "--format", "json", db=built_warehouse))
    assert all(r["case_id"] in readme for r in listed)
