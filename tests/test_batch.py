"""Batch runs: incremental by content hash, crash-safe, one writer, bad input recorded, exit codes."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import badfiles
from conftest import RAW
from pipeline import cli
from pipeline.builder import workers
from pipeline.builder.lock import warehouse_lock
from pipeline.builder.run import run as run_build
from pipeline.warehouse import connection

TIMESTAMPS = {"loaded_at", "failed_at"}
MINUTES = [sys.executable, "-m", "pipeline"]  # as the console script runs it


def snapshot(db: Path, keep_times: bool = False) -> dict[str, list[tuple]]:
    """Every table's rows, sorted; load times left out unless asked for."""
    con = connection.connect(str(db), read_only=True)
    try:
        out = {}
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables "
                                    "WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall():
            cols = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns "
                                              "WHERE table_name = ? ORDER BY ordinal_position", [table]).fetchall()
                    if keep_times or c not in TIMESTAMPS]
            rows = con.execute(f'SELECT {", ".join(cols)} FROM "{table}"').fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


@pytest.fixture()
def raw_copy(tmp_path: Path) -> Path:
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("clean")
    raw = out / "raw"
    shutil.copytree(RAW, raw)
    s = run_build(raw, out / "m.duckdb", out / "extracted", jobs=0)
    assert s.failed == 0
    return raw, snapshot(out / "m.duckdb")


def test_second_build_over_unchanged_raw_parses_nothing_and_changes_nothing(raw_copy, tmp_path):
    db = tmp_path / "m.duckdb"
    first = run_build(raw_copy, db, tmp_path / "ex")
    before = snapshot(db, keep_times=True)
    second = run_build(raw_copy, db, tmp_path / "ex")
    assert first.parsed == 12 and second.parsed == 0 and second.skipped == 12
    assert snapshot(db, keep_times=True) == before


def test_changed_file_replaces_its_rows_renamed_is_not_parsed_gone_is_pruned(raw_copy, tmp_path):
    db, ex = tmp_path / "m.duckdb", tmp_path / "ex"
    run_build(raw_copy, db, ex)
    referat = raw_copy / "oslo" / "ssu-2025-03-07-referat.txt"
    referat.write_text(referat.read_text(encoding="utf-8").replace("3/25", "3/26", 1), encoding="utf-8")
    s = run_build(raw_copy, db, ex)
    assert (s.parsed, s.skipped) == (1, 11)
    con = connection.connect(str(db), read_only=True)
    numbers = [r[0] for r in con.execute(
        "SELECT c.number FROM copy_cases c JOIN source_files f USING (sha256) WHERE f.path = ?",
        [str(referat)]).fetchall()]
    assert con.execute("SELECT count(*) FROM source_files").fetchone()[0] == 12
    con.close()
    assert "3/26" in numbers and "3/25" not in numbers

    moved = raw_copy / "oslo" / "ssu-2025-03-07-referat-flyttet.txt"
    referat.rename(moved)
    s = run_build(raw_copy, db, ex)
    assert (s.parsed, s.renamed) == (0, 1)
    con = connection.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM source_files WHERE path = ?", [str(moved)]).fetchone()[0] == 1
    # the logical rows name the new path too
    assert {p for (p,) in con.execute("SELECT DISTINCT source_path FROM case_sources s JOIN source_files f "
                                      "USING (sha256) WHERE f.path = ?", [str(moved)]).fetchall()} == {str(moved)}
    assert all(str(referat) not in sources for (sources,) in con.execute("SELECT sources FROM cases").fetchall())
    con.close()

    moved.unlink()
    s = run_build(raw_copy, db, ex)
    assert (s.gone, s.pruned) == (1, 0)  # reported, kept
    s = run_build(raw_copy, db, ex, prune=True)
    assert (s.gone, s.pruned) == (1, 1)
    con = connection.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM source_files").fetchone()[0] == 11
    for table in ("copy_cases", "cases", "case_sources", "decisions", "attendees", "search_terms", "copy_attachments"):
        assert con.execute(f"SELECT count(*) FROM {table} c LEFT JOIN source_files f USING (sha256) "
                           "WHERE f.sha256 IS NULL").fetchone()[0] == 0, table
    con.close()


def test_parallel_build_equals_single_process_build(clean_build, tmp_path):
    raw, single = clean_build
    s = run_build(raw, tmp_path / "m.duckdb", tmp_path / "ex", jobs=2)
    assert s.failed == 0
    assert snapshot(tmp_path / "m.duckdb") == single


def test_kill_at_many_moments_then_rebuild_equals_clean_build(clean_build, tmp_path):
    """SIGKILL the whole build (parent and workers) at spread-out moments; the next build must
    complete and leave the warehouse row for row equal to a clean build."""
    raw, clean = clean_build
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    kills = compared = 0
    timed = tmp_path / "timed" / "m.duckdb"  # how long a whole build takes here: kills are spread over it
    started = time.monotonic()
    subprocess.run(MINUTES + ["build", "--raw", str(raw), "--db", str(timed), "--extracted", str(timed.parent / "ex")],
                   env=env, capture_output=True, check=True)
    whole = time.monotonic() - started
    for k in range(1, 9):
        delay = round(whole * k / 9, 2)
        db = tmp_path / f"kill-{k}" / "m.duckdb"
        args = MINUTES + ["build", "--raw", str(raw), "--db", str(db), "--extracted", str(db.parent / "ex")]
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        done = subprocess.run(args, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert snapshot(db) == clean, f"after a kill at {delay} s"
        compared += 1
    assert kills >= 5 and compared == 8


def test_second_build_exits_3_while_another_holds_the_warehouse(tmp_path, raw_copy):
    db = tmp_path / "m.duckdb"
    with warehouse_lock(db):
        r = subprocess.run(MINUTES + ["build", "--raw", str(raw_copy), "--db", str(db), "--extracted",
                                      str(tmp_path / "ex"), "--wait", "0.5"], capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert r.returncode == 3
    assert "another build is running" in r.stderr and str(db) in r.stderr
    assert not db.exists()


def test_bad_input_is_recorded_and_good_files_load_completely(tmp_path):
    raw = tmp_path / "raw"
    expected = badfiles.write(raw / "testby")
    shutil.copy(badfiles.GOOD_PDF, raw / "testby" / "god.pdf")
    db = tmp_path / "m.duckdb"
    s = run_build(raw, db, tmp_path / "ex", jobs=2, guard=workers.Guard(seconds=30, memory_mb=1024))
    failed = {Path(f["path"]).name: f["reason"] for f in s.failures}
    assert {n for n, e in expected.items() if e == "fails"} == set(failed)
    assert all(r and "\n" not in r for r in failed.values())
    con = connection.connect(str(db), read_only=True)
    recorded = {Path(p).name: r for p, r in con.execute("SELECT path, reason FROM load_errors").fetchall()}
    loaded = {Path(p).name for (p,) in con.execute("SELECT path FROM source_files").fetchall()}
    names = {n for (n,) in con.execute("SELECT name FROM attendees").fetchall()}
    good_cases = con.execute("SELECT number, title, decision FROM copy_cases JOIN source_files USING (sha256) "
                             "WHERE path LIKE '%god.pdf' ORDER BY seq").fetchall()
    con.close()
    assert recorded == failed
    assert loaded == {n for n, e in expected.items() if e == "loads"} | {"god.pdf"}
    assert "Kirsten Sæther" in names  # cp1252 and UTF-16 text keep their letters
    alone = tmp_path / "alone"
    (alone / "raw" / "testby").mkdir(parents=True)
    shutil.copy(badfiles.GOOD_PDF, alone / "raw" / "testby" / "god.pdf")
    run_build(alone / "raw", alone / "m.duckdb", alone / "ex", jobs=0)
    con = connection.connect(str(alone / "m.duckdb"), read_only=True)
    assert good_cases == con.execute("SELECT number, title, decision FROM copy_cases ORDER BY seq").fetchall()
    con.close()


def test_unchanged_failed_file_is_not_retried_unless_asked(tmp_path):
    raw = tmp_path / "raw" / "testby"
    raw.mkdir(parents=True)
    (raw / "ikke.pdf").write_text("ikke en pdf", encoding="utf-8")
    db = tmp_path / "m.duckdb"
    assert run_build(raw.parent, db, tmp_path / "ex").failed == 1
    again = run_build(raw.parent, db, tmp_path / "ex")
    assert (again.failed, again.failed_before, again.parsed) == (0, 1, 0)
    assert run_build(raw.parent, db, tmp_path / "ex", retry_failed=True).failed == 1


def test_exit_codes(tmp_path):
    raw = tmp_path / "raw" / "testby"
    raw.mkdir(parents=True)
    shutil.copy(RAW / "oslo" / "ssu-2025-03-07-referat.txt", raw / "a.txt")
    (raw / "b.pdf").write_text("ikke en pdf", encoding="utf-8")
    runner = CliRunner()
    base = ["build", "--raw", str(raw.parent), "--extracted", str(tmp_path / "ex"), "--jobs", "0"]
    ok_db = tmp_path / "ok.duckdb"
    assert runner.invoke(cli.main, base + ["--db", str(ok_db)]).exit_code == 1  # b.pdf failed, a.txt loaded
    strict = runner.invoke(cli.main, base + ["--db", str(tmp_path / "s.duckdb"), "--strict", "--retry-failed"])
    assert strict.exit_code == 1 and "b.pdf" in strict.output
    (raw / "b.pdf").unlink()
    assert runner.invoke(cli.main, base + ["--db", str(ok_db)]).exit_code == 0
    assert runner.invoke(cli.main, ["build", "--raw", str(tmp_path / "nowhere")]).exit_code == 2
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"this is not a duckdb file" * 100)
    r = runner.invoke(cli.main, base + ["--db", str(broken)])
    assert r.exit_code == 4 and "broken.duckdb" in r.output


def test_console_script_flushes_everything_and_keeps_exit_codes(tmp_path):
    """The `minutes` entry point ends the process without the interpreter's teardown: what it
    printed arrives whole through a pipe, its exit code is the command's, the warehouse it closed
    opens, and nothing is left behind (no leaked-resource warnings, no lock holder)."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    (raw / "oslo" / "b.pdf").write_text("ikke en pdf", encoding="utf-8")
    db = tmp_path / "m.duckdb"
    args = MINUTES + ["build", "--raw", str(raw), "--db", str(db), "--extracted", str(tmp_path / "ex"),
                      "--jobs", "2", "--json"]
    r = subprocess.run(args, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert r.returncode == 1, r.stderr  # b.pdf failed; the others loaded
    summary = json.loads(r.stdout)
    assert summary["failed"] == 1 and summary["parsed"] == summary["files"] - 1 > 0
    assert "Traceback" not in r.stderr and "leaked" not in r.stderr
    lines = r.stderr.splitlines()
    assert len([ln for ln in lines if ln.startswith("[")]) == summary["files"]  # a progress line per file
    assert any(ln.startswith("ERROR") and "b.pdf" in ln for ln in lines)  # the log, flushed
    con = connection.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM source_files").fetchone()[0] == summary["parsed"]
    con.close()
    (raw / "oslo" / "b.pdf").unlink()
    again = subprocess.run(args, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert again.returncode == 0 and json.loads(again.stdout)["failed"] == 0
    usage = subprocess.run(MINUTES + ["build", "--raw", str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert usage.returncode == 2 and "nowhere" in usage.stderr


def test_entry_and_worker_modules_import_no_warehouse_or_language_libraries():
    """Spawned workers import the parent's main module again. The console script's module and
    the worker module must not bring in the warehouse, DataFrame, Arrow or language libraries,
    or every worker pays for them (about 0.4 s of processor time each) and holds them in memory."""
    heavy = ("duckdb", "pandas", "pyarrow", "spacy", "click")
    code = ("import sys, pipeline.__main__, pipeline.builder.workers; "
            f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_status_shows_loaded_failed_and_raw_states(raw_copy, tmp_path):
    db = tmp_path / "m.duckdb"
    run_build(raw_copy, db, tmp_path / "ex")
    (raw_copy / "oslo" / "ny.txt").write_text("Referat fra møte i SSU\nDato: 01.02.25\n", encoding="utf-8")
    (raw_copy / "oslo" / "ssu-2025-03-07-referat.txt").write_text("endret\n", encoding="utf-8")
    (raw_copy / "oslo" / "ous-styret-2021-styresak-19-2021.txt").unlink()
    r = CliRunner().invoke(cli.main, ["status", "--raw", str(raw_copy), "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert "12 files loaded" in r.output
    for state, name in (("new", "ny.txt"), ("changed", "ssu-2025-03-07-referat.txt"),
                        ("gone", "ous-styret-2021-styresak-19-2021.txt")):
        assert any(state in line and name in line for line in r.output.splitlines()), (state, r.output)


def test_a_file_that_fails_to_load_spoils_only_itself(raw_copy, tmp_path, monkeypatch):
    """Files are loaded in batches; when one file's rows break the joint insert (here: a duplicated
    case row), the batch is loaded file by file: the others load, the culprit is recorded with the
    database's own reason."""
    from pipeline import derive
    frames = derive.frames

    def spoiled(ex):
        data = frames(ex)
        if ex.source.path.endswith("ssu-2025-03-07-referat.txt"):
            data["copy_cases"] = [[*column, *column] for column in data["copy_cases"]]
        return data

    monkeypatch.setattr(derive, "frames", spoiled)
    db = tmp_path / "m.duckdb"
    s = run_build(raw_copy, db, tmp_path / "ex", jobs=0)
    assert s.failed == 1 and s.parsed == 11
    [failure] = s.failures
    assert failure["path"].endswith("ssu-2025-03-07-referat.txt")
    assert "duplicate key" in failure["reason"].lower() and "aborted" not in failure["reason"].lower()
    con = connection.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM source_files").fetchone()[0] == 11
        assert con.execute("SELECT count(*) FROM load_errors").fetchone()[0] == 1
    finally:
        con.close()


def test_files_directly_under_raw_or_of_other_types_are_listed_not_read(tmp_path):
    raw = tmp_path / "raw"
    (raw / "oslo").mkdir(parents=True)
    shutil.copy(RAW / "oslo" / "ssu-2025-03-07-referat.txt", raw / "oslo")
    shutil.copy(RAW / "oslo" / "ssu-2025-03-07-referat.txt", raw / "løst.txt")
    (raw / "oslo" / "referat.docx").write_bytes(b"PK\x03\x04")
    (raw / "oslo" / ".DS_Store").write_bytes(b"\0")
    s = run_build(raw, tmp_path / "m.duckdb", tmp_path / "ex", jobs=0)
    reasons = {Path(f["path"]).name: f["reason"] for f in s.skipped_files}
    assert set(reasons) == {"løst.txt", "referat.docx"} and s.parsed == 1 and s.failed == 0
    assert "raw/<partnership>/" in reasons["løst.txt"] and "Word document" in reasons["referat.docx"]
    assert sum(line.startswith("SKIPPED") for line in s.lines()) == 2
    from pipeline.builder import status
    states = status.run(raw, tmp_path / "m.duckdb").raw
    assert set(states[states.state == "skipped"].path.map(lambda p: Path(p).name)) == set(reasons)
