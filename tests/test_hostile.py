"""Hostile input and a hostile environment: odd file names, links out of raw/, a lock file that is
a link, text in mixed encodings, orphaned workers, commands given impossible places to write.
Each runs `minutes` as a subprocess and checks its exit code and its one line."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import badfiles
from conftest import RAW
from pipeline.warehouse import connection

MINUTES = [sys.executable, "-m", "pipeline"]
GOOD_TEXT = RAW / "oslo" / "ssu-2025-03-07-referat.txt"


def minutes(*args: str | os.PathLike, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(MINUTES + [os.fsdecode(a) if isinstance(a, bytes) else str(a) for a in args],
                          capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=timeout)


def build(tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    return minutes("build", "--raw", tmp / "raw", "--db", tmp / "m.duckdb", "--extracted", tmp / "ex",
                   "--jobs", "0", "--json", *extra)


def test_a_file_name_that_is_not_utf8_is_skipped_and_the_rest_load(tmp_path):
    folder = tmp_path / "raw" / "oslo"
    folder.mkdir(parents=True)
    shutil.copy(GOOD_TEXT, folder / "god.txt")
    bad = os.path.join(os.fsencode(folder), b"bad\xffx.txt")
    shutil.copy(GOOD_TEXT, bad)
    r = build(tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    summary = json.loads(r.stdout)
    assert summary["parsed"] == 1
    assert [f["path"].endswith("bad\\xffx.txt") for f in summary["skipped_files"]] == [True]
    assert "not valid UTF-8" in summary["skipped_files"][0]["reason"]
    s = minutes("status", "--raw", tmp_path / "raw", "--db", tmp_path / "m.duckdb")
    assert s.returncode == 0 and "Traceback" not in s.stderr
    assert "bad\\xffx.txt" in s.stdout and "skipped" in s.stdout
    e = minutes("extract", "--json", os.fsdecode(bad))
    assert e.returncode == 1 and "Traceback" not in e.stderr
    assert "not valid UTF-8" in e.stderr and len(e.stderr.strip().splitlines()) == 1


def test_a_link_out_of_raw_is_refused_and_a_link_inside_takes_its_own_folder(tmp_path):
    raw = tmp_path / "raw"
    (raw / "oslo").mkdir(parents=True)
    (raw / "bergen").mkdir()
    outside = tmp_path / "secret.txt"
    shutil.copy(GOOD_TEXT, outside)
    (raw / "oslo" / "passwd.txt").symlink_to("/etc/passwd")
    (raw / "oslo" / "hemmelig.txt").symlink_to(outside)
    shutil.copy(GOOD_TEXT, raw / "oslo" / "god.txt")
    (raw / "bergen" / "lenke.txt").symlink_to(raw / "oslo" / "god.txt")  # inside raw/: a copy in bergen
    r = build(tmp_path)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    refused = {Path(f["path"]).name: f["reason"] for f in summary["skipped_files"]}
    assert set(refused) == {"passwd.txt", "hemmelig.txt"}
    assert all("outside raw/" in why for why in refused.values())
    con = connection.connect(str(tmp_path / "m.duckdb"), read_only=True)
    rows = con.execute("SELECT path, partnership FROM source_files").fetchall()
    con.close()
    assert [Path(p).name for p, _ in rows] == ["god.txt"] or {pp for _, pp in rows} <= {"oslo", "bergen"}
    assert "etc" not in {pp for _, pp in rows} and "passwd" not in r.stdout.split("skipped_files")[0]


def test_a_lock_file_that_is_a_link_is_not_followed(tmp_path):
    (tmp_path / "raw" / "oslo").mkdir(parents=True)
    shutil.copy(GOOD_TEXT, tmp_path / "raw" / "oslo" / "god.txt")
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    (tmp_path / "m.duckdb.lock").symlink_to(victim)
    r = build(tmp_path)
    assert r.returncode == 5 and "Traceback" not in r.stderr
    assert "lock file is a link" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert victim.read_text() == "keep me\n"


def test_a_lock_path_that_is_a_folder_or_a_db_under_a_file_is_one_line_and_exit_5(tmp_path):
    (tmp_path / "raw" / "oslo").mkdir(parents=True)
    shutil.copy(GOOD_TEXT, tmp_path / "raw" / "oslo" / "god.txt")
    (tmp_path / "m.duckdb.lock").mkdir()
    r = build(tmp_path)
    assert r.returncode == 5 and "Traceback" not in r.stderr and "lock path is a folder" in r.stderr
    (tmp_path / "a-file").write_text("x")
    r = minutes("build", "--raw", tmp_path / "raw", "--db", tmp_path / "a-file" / "m.duckdb",
                "--extracted", tmp_path / "ex", "--jobs", "0")
    assert r.returncode == 5 and "Traceback" not in r.stderr and "a-file" in r.stderr


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    out: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p}
        todo += list(kids - out)
        out |= kids
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_a_killed_build_and_its_pipe_ends(tmp_path, sig):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    args = MINUTES + ["build", "--raw", str(raw), "--db", str(tmp_path / "m.duckdb"), "--extracted",
                      str(tmp_path / "ex"), "--jobs", "2"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    kids: set[int] = set()
    while time.monotonic() < deadline and len(kids) < 2:
        time.sleep(0.2)
        kids = _descendants(proc.pid)
    assert len(kids) >= 2, "the build started no workers"
    time.sleep(1)
    kids = _descendants(proc.pid)
    os.kill(proc.pid, sig)
    proc.wait(timeout=30)
    assert proc.stdout is not None
    ended = subprocess.run(["timeout", "20", "cat"], stdin=proc.stdout, capture_output=True)
    assert ended.returncode == 0, "the build's output pipe was held open after it died"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(k) for k in kids):
        time.sleep(0.2)
    left = [k for k in kids if _alive(k)]
    for k in left:
        os.kill(k, signal.SIGKILL)
    assert not left, f"workers outlived the build: {left}"


def _workers_of(pid: int) -> list[int]:
    """The worker processes under a process, spawned or forked (not multiprocessing's resource
    tracker)."""
    out = []
    for kid in _descendants(pid):
        try:
            cmd = Path(f"/proc/{kid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in cmd:
            out.append(kid)
    return out


def _stop_first_worker(proc: subprocess.Popen) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = _workers_of(proc.pid)
        if found:
            os.kill(found[0], signal.SIGSTOP)
            return found[0]
        time.sleep(0.02)
    raise AssertionError("no worker started")


def _run_with_its_worker_stopped(args: list[str], timeout: float) -> tuple[subprocess.Popen, str, str, bool]:
    """Runs a command, SIGSTOPs its first worker as soon as it starts; the process, its output and
    whether the stopped worker was still there when the command had ended (it is killed here in
    any case, after that is seen, so no test leaves it behind)."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stopped = _stop_first_worker(proc)
    try:
        out, err = proc.communicate(timeout=timeout)
        left = _alive(stopped)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(stopped, signal.SIGKILL)
        proc.kill()
    return proc, out, err, left


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_a_stopped_worker_is_killed_and_its_files_are_read_by_a_fresh_one(tmp_path):
    folder = tmp_path / "raw" / "oslo"
    folder.mkdir(parents=True)
    for k in range(3):
        (folder / f"m{k}.txt").write_bytes(GOOD_TEXT.read_bytes() + f"\nkopi {k}\n".encode())
    args = MINUTES + ["build", "--raw", str(tmp_path / "raw"), "--db", str(tmp_path / "m.duckdb"),
                      "--extracted", str(tmp_path / "ex"), "--jobs", "1", "--json"]
    proc, out, err, left = _run_with_its_worker_stopped(args, timeout=120)
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert summary["parsed"] == 3 and summary["failed"] == 0
    assert not left, "the stopped worker was left behind"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_extract_names_a_worker_that_stopped_answering_in_one_line(tmp_path):
    proc, out, err, left = _run_with_its_worker_stopped(MINUTES + ["extract", "--json", str(GOOD_TEXT)], timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err
    assert "stopped answering" in err and len(err.strip().splitlines()) == 1
    assert not left


def test_a_stray_latin1_byte_is_read_as_cp1252_on_its_line_only_and_controls_are_removed(tmp_path):
    folder = tmp_path / "raw" / "oslo"
    folder.mkdir(parents=True)
    lines = GOOD_TEXT.read_bytes().split(b"\n")
    assert any("å".encode() in ln for ln in lines)
    lines.insert(3, "Bystyret og byrådet møtes".encode("latin-1"))  # one line pasted from a Latin-1 file
    data = b"\n".join(lines)
    cut = len(data) // 2
    data = data[:cut] + b"\x00\x01" + data[cut:] + b"\x00\x1b"  # scattered NULs and controls, past 4 KiB
    (folder / "blandet.txt").write_bytes(data)
    e = minutes("extract", "--json", folder / "blandet.txt")
    assert e.returncode == 0, e.stderr
    assert "Ã¥" not in e.stdout and "Ã¸" not in e.stdout and "\\u0000" not in e.stdout and "\\u001b" not in e.stdout
    out = json.loads(e.stdout)
    assert any("line 4" in w and "cp1252" in w for w in out["warnings"])
    r = build(tmp_path)
    assert r.returncode == 0, r.stderr
    con = connection.connect(str(tmp_path / "m.duckdb"), read_only=True)
    texts = con.execute("SELECT coalesce(title, '') || coalesce(text, '') || coalesce(decision, '') "
                        "FROM copy_cases").fetchall()
    con.close()
    joined = "".join(t for (t,) in texts)
    assert joined and "\x00" not in joined and "\x01" not in joined and "Ã" not in joined
    assert "å" in joined


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wh")
    (tmp / "raw" / "oslo").mkdir(parents=True)
    shutil.copy(GOOD_TEXT, tmp / "raw" / "oslo" / "god.txt")
    assert build(tmp).returncode == 0
    return tmp / "m.duckdb"


def _one_error_line(r: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert r.returncode == code, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("Error:") and all(w in lines[-1] for w in words), r.stderr


def test_empty_sql_and_exports_to_impossible_places_are_one_line_with_their_exit_code(tmp_path, warehouse):
    _one_error_line(minutes("sql", "", "--db", warehouse), 2, "SQL statement")
    _one_error_line(minutes("sql", "   ", "--db", warehouse), 2, "SQL statement")
    (tmp_path / "a-file").write_text("x")
    _one_error_line(minutes("export", tmp_path / "a-file" / "out", "--db", warehouse), 1, "a-file")
    _one_error_line(minutes("export", tmp_path / "a-file", "--db", warehouse), 2, "is a file")
    _one_error_line(minutes("export", "/dev/full", "--db", warehouse), 1, "/dev/full", "not a folder")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "cases.csv").symlink_to("/dev/full")
    _one_error_line(minutes("export", tmp_path / "out", "--format", "csv", "--db", warehouse), 1,
                    "cases.csv", "outside")


def test_export_keeps_a_hostile_table_name_inside_its_folder(tmp_path, warehouse):
    db = tmp_path / "m.duckdb"
    shutil.copy(warehouse, db)
    con = connection.connect(str(db))
    con.execute('CREATE TABLE "../../escaped" AS SELECT 1 AS x')
    con.execute(f'CREATE TABLE "{tmp_path / "absolute"}" AS SELECT 2 AS x')  # an absolute path
    con.close()
    out = tmp_path / "a" / "b" / "out"
    r = minutes("export", out, "--format", "csv", "--db", db)
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "a" / "escaped.csv").exists() and not (tmp_path / "absolute.csv").exists()
    names = {p.name for p in out.iterdir()}
    assert "_.._.._escaped.csv" in names and any(n.startswith("_tmp_") and n.endswith("_absolute.csv") for n in names)
    assert all(p.parent == out for p in out.rglob("*"))


def _mount_small_tmpfs(where: Path, size: str = "256k") -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    where.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True).returncode == 0


@pytest.fixture()
def small_disk(tmp_path):
    where = tmp_path / "small"
    if not _mount_small_tmpfs(where):
        pytest.skip("mounting a small tmpfs needs root and mount(8) (it runs as root in CI)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_export_to_a_full_disk_is_one_line_and_exit_1(small_disk, warehouse):
    r = minutes("export", small_disk / "out", "--format", "csv", "--db", warehouse)
    _one_error_line(r, 1, "No space left on device")


def _loads_next_time(tmp: Path, extracted: Path) -> None:
    r = minutes("build", "--raw", tmp / "raw", "--db", tmp / "m.duckdb", "--extracted", extracted,
                "--jobs", "0", "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["parsed"] == 1 and summary["failed"] == 0 and summary["failed_before"] == 0


@pytest.mark.parametrize("jobs", ["0", "1"])
def test_a_full_stage_folder_stops_the_build_records_nothing_and_the_file_loads_next_time(tmp_path, jobs):
    where = tmp_path / "small"
    if not _mount_small_tmpfs(where, "4k"):
        pytest.skip("mounting a small tmpfs needs root and mount(8) (it runs as root in CI)")
    try:
        (tmp_path / "raw" / "oslo").mkdir(parents=True)
        shutil.copy(GOOD_TEXT, tmp_path / "raw" / "oslo" / "god.txt")
        r = minutes("build", "--raw", tmp_path / "raw", "--db", tmp_path / "m.duckdb", "--extracted", where,
                    "--jobs", jobs)
        _one_error_line(r, 5, "No space left on device", "god.txt")
        assert not [p for p in where.rglob("*") if p.is_file()], "a half-written stage file was left"
        if (tmp_path / "m.duckdb").exists():
            con = connection.connect(str(tmp_path / "m.duckdb"), read_only=True)
            assert con.execute("SELECT count(*) FROM load_errors").fetchone() == (0,)
            con.close()
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)
    _loads_next_time(tmp_path, tmp_path / "ex")


@contextlib.contextmanager
def _read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A read-only tmpfs at tmp_path/ro, with a good file under tmp_path/raw; skipped where no tmpfs
    can be mounted."""
    where = tmp_path / "ro"
    if not _mount_small_tmpfs(where, "1m"):
        pytest.skip("mounting a tmpfs needs root and mount(8) (it runs as root in CI)")
    try:
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        (tmp_path / "raw" / "oslo").mkdir(parents=True)
        shutil.copy(GOOD_TEXT, tmp_path / "raw" / "oslo" / "god.txt")
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_read_only_stage_folder_stops_the_build_and_the_file_loads_next_time(tmp_path):
    with _read_only_folder(tmp_path) as where:
        r = minutes("build", "--raw", tmp_path / "raw", "--db", tmp_path / "m.duckdb", "--extracted", where,
                    "--jobs", "0")
        _one_error_line(r, 5, "Read-only file system")
    _loads_next_time(tmp_path, tmp_path / "ex")


def _counts(db: Path) -> dict[str, int]:
    con = connection.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
                for t in ("source_files", "load_errors", "copy_cases", "cases", "attendees")}
    finally:
        con.close()


def test_a_full_warehouse_disk_stops_the_build_with_exit_5_and_the_next_build_completes_it(tmp_path):
    where = tmp_path / "small"
    if not _mount_small_tmpfs(where, "3m"):
        pytest.skip("mounting a small tmpfs needs root and mount(8) (it runs as root in CI)")
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    try:
        args = ["build", "--raw", raw, "--db", where / "m.duckdb", "--extracted", tmp_path / "ex", "--jobs", "2"]
        r = minutes(*args)
        _one_error_line(r, 5, "cannot write the warehouse", "nothing recorded")
        subprocess.run(["mount", "-o", "remount,size=64m", str(where)], check=True)  # space freed
        again = minutes(*args)
        assert again.returncode == 0, again.stderr
        after = _counts(where / "m.duckdb")
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)
    clean = minutes("build", "--raw", raw, "--db", tmp_path / "clean.duckdb", "--extracted", tmp_path / "ex2",
                    "--jobs", "2")
    assert clean.returncode == 0, clean.stderr
    assert after == _counts(tmp_path / "clean.duckdb") and after["load_errors"] == 0


def test_a_file_name_with_a_newline_cannot_forge_a_summary_line(tmp_path):
    folder = tmp_path / "raw" / "oslo"
    folder.mkdir(parents=True)
    (folder / "x\nSKIPPED forged.pdf: all is well\ny.pdf").write_text("ikke en pdf", encoding="utf-8")
    r = minutes("build", "--raw", tmp_path / "raw", "--db", tmp_path / "m.duckdb", "--extracted", tmp_path / "ex",
                "--jobs", "0")
    assert r.returncode == 1, r.stderr
    forged = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.startswith("SKIPPED forged")]
    assert not forged
    assert any(ln.startswith("FAILED ") and "\\nSKIPPED forged" in ln for ln in r.stdout.splitlines())
    s = minutes("status", "--raw", tmp_path / "raw", "--db", tmp_path / "m.duckdb")
    assert s.returncode == 0 and not [ln for ln in s.stdout.splitlines() if ln.startswith("SKIPPED forged")]


def test_fifos_devices_and_broken_or_looping_links_are_named_in_the_summary_and_status(tmp_path):
    folder = tmp_path / "raw" / "oslo"
    folder.mkdir(parents=True)
    shutil.copy(GOOD_TEXT, folder / "god.txt")
    os.mkfifo(folder / "fifo.txt")
    (folder / "null.txt").symlink_to("/dev/null")
    (folder / "borte.txt").symlink_to(folder / "finnes-ikke.txt")
    (folder / "ring.txt").symlink_to(folder / "ring.txt")
    r = build(tmp_path)
    assert r.returncode == 0, r.stderr
    skipped = {Path(f["path"]).name: f["reason"] for f in json.loads(r.stdout)["skipped_files"]}
    assert set(skipped) == {"fifo.txt", "null.txt", "borte.txt", "ring.txt"}
    assert "FIFO" in skipped["fifo.txt"] and "broken" in skipped["borte.txt"] and "loops" in skipped["ring.txt"]
    s = minutes("status", "--raw", tmp_path / "raw", "--db", tmp_path / "m.duckdb")
    assert s.returncode == 0 and all(name in s.stdout for name in skipped)


def test_json_and_csv_of_blob_bit_and_interval_columns_print_without_a_traceback(warehouse):
    sql = "SELECT '101'::BIT AS b, 'a'::BLOB AS bl, INTERVAL 1 DAY AS i, ['a'::BLOB] AS l"
    r = minutes("sql", sql, "--format", "json", "--db", warehouse)
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)[0]
    assert row["bl"] == "61" and row["l"] == ["61"] and isinstance(row["b"], str) and row["i"]
    c = minutes("sql", sql, "--format", "csv", "--db", warehouse)
    assert c.returncode == 0 and "Traceback" not in c.stderr


def test_a_read_only_warehouse_folder_is_one_line_and_exit_5(tmp_path):
    with _read_only_folder(tmp_path) as where:
        r = minutes("build", "--raw", tmp_path / "raw", "--db", where / "m.duckdb", "--extracted", tmp_path / "ex",
                    "--jobs", "0")
        _one_error_line(r, 5, "Read-only file system")


def test_extract_of_a_decompression_bomb_is_one_line_and_exit_1(tmp_path):
    bomb = tmp_path / "bombe.pdf"
    bomb.write_bytes(badfiles.bomb_pdf())
    r = minutes("extract", "--json", bomb, timeout=200)
    _one_error_line(r, 1, "bombe.pdf", "worker reading this file died")
    assert "leaked" not in r.stderr


def test_a_no_op_build_leaves_the_warehouse_file_untouched(tmp_path):
    (tmp_path / "raw" / "oslo").mkdir(parents=True)
    shutil.copy(GOOD_TEXT, tmp_path / "raw" / "oslo" / "god.txt")
    assert build(tmp_path).returncode == 0
    db = tmp_path / "m.duckdb"
    before = (db.read_bytes(), db.stat().st_mtime_ns)
    time.sleep(0.05)
    r = build(tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)["skipped"] == 1
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before
    assert not db.with_name(db.name + ".wal").exists()


def test_a_dropped_table_is_named_by_queries_and_the_next_build_makes_it_again(tmp_path):
    (tmp_path / "raw" / "oslo").mkdir(parents=True)
    shutil.copy(GOOD_TEXT, tmp_path / "raw" / "oslo" / "god.txt")
    assert build(tmp_path).returncode == 0
    db = tmp_path / "m.duckdb"
    found = minutes("search", "rehabilitering", "--db", db, "--format", "json")
    assert found.returncode == 0 and json.loads(found.stdout)
    con = connection.connect(str(db))
    con.execute("DROP TABLE search_terms")
    con.close()
    r = minutes("search", "rehabilitering", "--db", db)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and "damaged (search_terms missing)" in r.stderr
    again = build(tmp_path)
    assert again.returncode == 0 and "damaged (search_terms missing)" in again.stderr
    assert json.loads(again.stdout)["parsed"] == 1  # every file read again
    assert minutes("search", "rehabilitering", "--db", db, "--format", "json").stdout == found.stdout


def test_a_folder_that_cannot_be_listed_is_named_in_the_summary_and_status(tmp_path, monkeypatch):
    from pipeline.builder import plan

    raw = tmp_path / "raw"
    (raw / "oslo").mkdir(parents=True)
    (raw / "bergen" / "2024").mkdir(parents=True)
    shutil.copy(GOOD_TEXT, raw / "oslo" / "god.txt")
    shutil.copy(GOOD_TEXT, raw / "bergen" / "2024" / "god.txt")
    if os.geteuid() != 0:  # as a user a folder without permissions cannot be listed: the real case
        (raw / "bergen").chmod(0)
        try:
            r = build(tmp_path)
            s = minutes("status", "--raw", raw, "--db", tmp_path / "m.duckdb")
        finally:
            (raw / "bergen").chmod(0o755)
        assert r.returncode == 0 and json.loads(r.stdout)["parsed"] == 1
        assert [Path(f["path"]).name for f in json.loads(r.stdout)["skipped_files"]] == ["bergen"]
        assert "bergen" in s.stdout and "cannot be listed" in s.stdout
    # root lists every folder: the same path through a listing that fails
    real_scandir = os.scandir

    def scandir(path=".", *args):
        if Path(os.fsdecode(path)) == raw / "bergen":
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", scandir)
    skipped = plan.skipped_files(raw)
    assert skipped == [(raw / "bergen", "not read: a folder that cannot be listed (Permission denied); "
                                        "its files are left out")]


def test_hashing_a_huge_file_counts_against_its_time_limit_and_is_not_repeated(tmp_path):
    folder = tmp_path / "raw" / "oslo"
    folder.mkdir(parents=True)
    shutil.copy(GOOD_TEXT, folder / "god.txt")
    with open(folder / "stor.pdf", "wb") as f:
        f.truncate(20 * 2**30)  # 20 GiB, sparse: nothing on disk, slow to hash
    r = build(tmp_path, "--timeout", "2")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert json.loads(r.stdout)["parsed"] == 1
    con = connection.connect(str(tmp_path / "m.duckdb"), read_only=True)
    reasons = con.execute("SELECT path, reason FROM load_errors").fetchall()
    con.close()
    assert [(Path(p).name, "time limit of 2 s exceeded while hashing" in why) for p, why in reasons] == [
        ("stor.pdf", True)]
    again = build(tmp_path, "--timeout", "2")  # not hashed again (it would fail again, not "before")
    s = minutes("status", "--raw", tmp_path / "raw", "--db", tmp_path / "m.duckdb")
    assert again.returncode == 0 and json.loads(again.stdout)["failed_before"] == 1
    assert s.returncode == 0 and "stor.pdf" in s.stdout and "failed before" in s.stdout


def test_a_dropped_view_is_named_by_queries_and_made_again_without_reading_files(tmp_path):
    (tmp_path / "raw" / "oslo").mkdir(parents=True)
    shutil.copy(GOOD_TEXT, tmp_path / "raw" / "oslo" / "god.txt")
    assert build(tmp_path).returncode == 0
    db = tmp_path / "m.duckdb"
    con = connection.connect(str(db))
    con.execute("DROP VIEW v_decisions")
    con.close()
    r = minutes("decisions", "--db", db)
    assert r.returncode == 1 and "damaged (v_decisions missing)" in r.stderr and "Traceback" not in r.stderr
    again = build(tmp_path)
    assert again.returncode == 0 and json.loads(again.stdout)["parsed"] == 0
    assert minutes("decisions", "--db", db).returncode == 0


def test_a_build_waits_for_a_query_that_is_reading_instead_of_failing(tmp_path):
    (tmp_path / "raw" / "oslo").mkdir(parents=True)
    shutil.copy(GOOD_TEXT, tmp_path / "raw" / "oslo" / "a.txt")
    assert build(tmp_path).returncode == 0
    (tmp_path / "raw" / "oslo" / "b.txt").write_bytes(GOOD_TEXT.read_bytes() + b"\nny linje\n")
    reader = connection.connect(str(tmp_path / "m.duckdb"), read_only=True)  # a query holding the file open
    args = [*MINUTES, "build", "--raw", str(tmp_path / "raw"), "--db", str(tmp_path / "m.duckdb"),
            "--extracted", str(tmp_path / "ex"), "--jobs", "0", "--json", "--wait", "30"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2)
        assert proc.poll() is None, "the build gave up while a query was reading"
    finally:
        reader.close()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert json.loads(out)["parsed"] == 1


# --- forked workers (the build's first pool: builder/workers.start_pool) --------------------------

def _forked(child) -> int:
    """Runs `child()` in a forked process and returns its exit code (it exits with child()'s value)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            code = child()
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_worker_does_not_keep_the_warehouse_lock(tmp_path):
    from pipeline.builder.lock import warehouse_lock
    from pipeline.errors import WarehouseBusy

    db = tmp_path / "m.duckdb"
    read, write = os.pipe()
    ready_read, ready_write = os.pipe()
    with warehouse_lock(db):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child: alive until the parent has tried the lock again
            os.close(write)
            os.write(ready_write, b"r")  # running: the fork's handlers have run
            os.read(read, 1)
            os._exit(0)
        os.read(ready_read, 1)
    os.close(read)
    try:
        with warehouse_lock(db):  # the build that held it ended; its forked child is still there
            pass
    except WarehouseBusy:
        pytest.fail("the forked child kept the warehouse lock")
    finally:
        os.write(write, b"x")
        for fd in (write, ready_read, ready_write):
            os.close(fd)
        os.waitpid(pid, 0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_worker_imports_what_the_command_refused_for_itself():
    from pipeline import lazy

    name = "colorsys"  # a standard module the test process has not imported
    sys.modules.pop(name, None)
    with lazy.refused(name):
        with pytest.raises(ImportError):
            __import__(name)
        assert _forked(lambda: 0 if __import__(name) else 1) == 0


def test_the_first_pool_is_forked_only_in_a_process_without_pdfium_duckdb_or_threads():
    from pipeline.builder import workers

    # this test process has read PDFs and opened warehouses: spawned workers
    assert not workers._fork_safe()
    fresh = subprocess.run([sys.executable, "-c", "from pipeline.builder import workers as w; print(w._fork_safe())"],
                           capture_output=True, text=True, cwd=str(Path(__file__).resolve().parents[1]), timeout=60)
    assert fresh.stdout.strip() == str(workers._CAN_FORK), fresh.stderr
