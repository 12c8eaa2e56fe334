"""The run after a meeting: a build that finds one new file among many unchanged ones hashes none
of the unchanged files, imports no library the file does not need, still reads the new file in a
guarded worker, and merges in bounded chunks with the same result."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipeline.builder import hashes, workers
from pipeline.builder.run import run as run_build
from pipeline.read import ingest
from pipeline.warehouse import connection, load, merge

from . import badfiles
from .conftest import RAW, ROOT


def _settled_copy(tmp_path: Path, monkeypatch) -> Path:
    """raw/ copied, and long enough ago (a shorter wait than a build's, here) to be remembered."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    monkeypatch.setattr(hashes, "SETTLE_SECONDS", 0.3)
    time.sleep(0.4)
    return raw


@pytest.fixture()
def counted_hashing(monkeypatch) -> list[Path]:
    hashed: list[Path] = []
    real = ingest.sha256_of

    def counting(path: Path, seconds: float | None = None) -> str:
        hashed.append(path)
        return real(path, seconds)

    monkeypatch.setattr(ingest, "sha256_of", counting)
    return hashed


def test_unchanged_files_are_not_hashed_again_and_a_rewritten_one_is(tmp_path, counted_hashing, monkeypatch):
    raw = _settled_copy(tmp_path, monkeypatch)
    db = tmp_path / "m.duckdb"
    first = run_build(raw, db, tmp_path / "ex", jobs=0)
    assert first.failed == 0 and len(counted_hashing) == first.files
    assert hashes.cache_path(db).is_file()
    counted_hashing.clear()
    again = run_build(raw, db, tmp_path / "ex", jobs=0)
    assert (again.parsed, again.skipped, counted_hashing) == (0, first.files, [])
    # the same size and modification time, other content: its change time gives it away
    text = raw / "oslo" / "ssu-2025-03-07-referat.txt"
    st = text.stat()
    body = text.read_bytes()
    text.write_bytes(body.replace(b"Referat", b"REFERAT", 1))
    assert text.stat().st_size == st.st_size
    os.utime(text, ns=(st.st_atime_ns, st.st_mtime_ns))
    third = run_build(raw, db, tmp_path / "ex", jobs=0)
    assert counted_hashing == [text] and third.parsed == 1


def test_a_file_just_written_is_hashed_again_next_time(tmp_path, counted_hashing):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    db = tmp_path / "m.duckdb"
    run_build(raw, db, tmp_path / "ex", jobs=0)
    new = raw / "oslo" / "ny.txt"
    new.write_text("Referat fra møte i SSU\nDato: 01.02.25\n", encoding="utf-8")
    counted_hashing.clear()
    assert run_build(raw, db, tmp_path / "ex", jobs=0).parsed == 1
    counted_hashing.clear()
    assert run_build(raw, db, tmp_path / "ex", jobs=0).parsed == 0
    assert new in counted_hashing  # written within 2 s before the build looked at it: not trusted yet


@pytest.mark.parametrize("content", [b"", b"not json", b'{"format": 1, "files": {"x": [1, 2]}}',
                                     b'{"format": 99, "files": {}}'])
def test_a_damaged_hash_file_is_ignored(tmp_path, content, counted_hashing, monkeypatch):
    raw = _settled_copy(tmp_path, monkeypatch)
    db = tmp_path / "m.duckdb"
    first = run_build(raw, db, tmp_path / "ex", jobs=0)
    hashes.cache_path(db).write_bytes(content)
    counted_hashing.clear()
    again = run_build(raw, db, tmp_path / "ex", jobs=0)
    assert (again.parsed, again.skipped, again.failed) == (0, first.files, 0)
    assert len(counted_hashing) == first.files
    counted_hashing.clear()
    run_build(raw, db, tmp_path / "ex", jobs=0)
    assert counted_hashing == []  # written whole again


def _minutes_build(raw: Path, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`minutes build` in a process of its own, listing the modules it imports on stderr."""
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "pipeline", "build", "--raw", str(raw), "--db",
                           str(db), "--extracted", str(db.parent / "ex"), "--json", *extra], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _imported(stderr: str) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def test_one_new_file_is_read_in_a_guarded_worker_without_pandas_numpy_or_spacy(tmp_path):
    raw = tmp_path / "raw"
    (raw / "testby").mkdir(parents=True)
    for n in range(3):
        (raw / "testby" / f"notat-{n}.txt").write_text(f"Referat fra møte i SSU\nDato: 0{n + 1}.02.25\n",
                                                       encoding="utf-8")
    db = tmp_path / "wh" / "m.duckdb"
    assert _minutes_build(raw, db).returncode == 0
    shutil.copy(badfiles.GOOD_PDF, raw / "testby" / "god.pdf")
    r = _minutes_build(raw, db)
    assert r.returncode == 0, r.stderr[-2000:]
    modules = _imported(r.stderr)
    assert "duckdb" in modules and "pyarrow" in modules  # the run was traced
    assert "pandas.core.frame" not in modules  # Arrow's attempt to import pandas, refused, shows as a bare "pandas"
    assert not {m for m in modules if m.split(".")[0] == "spacy" or m.startswith("pandas.")}
    assert "numpy.core._multiarray_umath" not in modules and "numpy._core._multiarray_umath" not in modules
    # the worker's guard holds for a file arriving alone: a decompression bomb ends its worker
    (raw / "testby" / "bombe.pdf").write_bytes(badfiles.bomb_pdf())
    r = _minutes_build(raw, db, "--memory-mb", "512")
    assert r.returncode == 1
    con = duckdb.connect(str(db), read_only=True)
    failed = con.execute("SELECT path, reason FROM load_errors").fetchall()
    con.close()
    assert [(Path(p).name, reason) for p, reason in failed] == [("bombe.pdf", workers.DIED)]


def _logical(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in (*merge.LOGICAL, "meetings")}
    finally:
        con.close()


def test_groups_merged_in_small_chunks_give_the_same_warehouse(tmp_path, monkeypatch):
    whole = run_build(RAW, tmp_path / "whole.duckdb", tmp_path / "ex1", jobs=0)
    monkeypatch.setattr(merge, "CHUNK_COPIES", 2)
    chunked = run_build(RAW, tmp_path / "chunked.duckdb", tmp_path / "ex2", jobs=0)
    assert whole.warehouse == chunked.warehouse and whole.warehouse["cases"] > 20
    assert _logical(tmp_path / "whole.duckdb") == _logical(tmp_path / "chunked.duckdb")
    day1, day2 = date(2025, 1, 30), date(2025, 3, 7)
    assert merge._chunks([("a", "x", None, 1), ("a", "y", day1, 1), ("a", "y", day2, 1), ("b", "x", None, 5),
                          ("c", "x", day1, 0)]) == \
        [[("a", "x", None, 1)], [("a", "y", day1, 1), ("a", "y", day2, 1)], [("b", "x", None, 5)],
         [("c", "x", day1, 0)]]  # a group's days in one chunk


def _index(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute("SELECT k.case_id, k.copy_case_id, k.partnership, k.doc_type, k.body, "
                                  "k.meeting_date, p.term, p.tf, p.doc_len "
                                  "FROM search_postings p JOIN search_cases k USING (case_no)").fetchall(), key=repr)
    finally:
        con.close()


def _meetings_and_named(db: Path) -> tuple[set[str], set[str]]:
    """The meetings held, and the meetings the notices and minutes name: each named one must have
    its row in `meetings`, no other."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        held = {m for (m,) in con.execute("SELECT meeting_id FROM meetings").fetchall()}
        named = {m for (m,) in con.execute("SELECT meeting_id FROM documents WHERE meeting_id IS NOT NULL AND "
                                           "doc_type IN (SELECT unnest(?))", [list(merge.MEETING_TYPES)]).fetchall()}
        return held, named
    finally:
        con.close()


def test_merging_only_the_changed_days_gives_what_merging_whole_groups_gives(tmp_path, monkeypatch):
    """After every build of a run of changes (files added a few at a time, one rewritten with
    another meeting's content, one renamed, one removed and pruned), the logical tables and the
    search index equal what merging every group whole makes of the same copies."""
    units: list[merge.Unit] = []
    real_units = merge._units
    monkeypatch.setattr(merge, "_units", lambda con, everything: units.extend(real_units(con, everything)) or
                        real_units(con, everything))
    raw = tmp_path / "raw"
    texts = sorted((ROOT / "tests" / "corpus" / "docs").glob("*.txt")) + sorted(RAW.rglob("*.txt"))
    db = tmp_path / "m.duckdb"

    def build_and_compare(step: str) -> None:
        run_build(raw, db, tmp_path / "ex", jobs=0, prune=True)
        whole = tmp_path / "whole.duckdb"
        shutil.copy(db, whole)
        con = duckdb.connect(str(whole))
        merge.run(con, everything=True)
        con.close()
        assert _logical(db) == _logical(whole), step
        assert _index(db) == _index(whole), step
        held, named = _meetings_and_named(db)
        assert held == named, step

    for n in range(0, len(texts), 4):
        for i, path in enumerate(texts[n:n + 4], start=n):
            folder = raw / ("testby" if i % 3 else "annenby")
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, folder / path.name)
        build_and_compare(f"files {n}-{n + 3}")
    some = sorted((raw / "testby").glob("*.txt"))
    some[0].write_text(some[1].read_text(encoding="utf-8") + "\nEndret.\n", encoding="utf-8")
    build_and_compare("a file rewritten with another meeting's content")
    some[2].rename(some[2].with_name("omdøpt.txt"))
    build_and_compare("a file renamed")
    some[3].unlink()
    build_and_compare("a file removed")
    assert any(u[2] is not None for u in units) and any(u[2] is None for u in units)


def test_a_moved_raw_folder_renames_every_file_at_once_and_equals_a_build_of_the_moved_folder(tmp_path, monkeypatch):
    """Every file renamed (raw/ moved, or named by another path): nothing is read again, the paths
    change in one transaction and one merge (not one per file), and the warehouse equals a build
    from empty of the folder where it is now."""
    raw = _settled_copy(tmp_path, monkeypatch)
    db = tmp_path / "m.duckdb"
    run_build(raw, db, tmp_path / "ex", jobs=0)
    moved = tmp_path / "flyttet" / "raw"
    moved.parent.mkdir()
    raw.rename(moved)
    marked: list[int] = []
    real_mark = merge.mark_files
    monkeypatch.setattr(merge, "mark_files", lambda con, shas: marked.append(len(shas)) or real_mark(con, shas))
    s = run_build(moved, db, tmp_path / "ex", jobs=0)
    assert (s.parsed, s.renamed, s.gone) == (0, s.files, 0)
    assert marked == [s.files]
    fresh = tmp_path / "fresh.duckdb"
    run_build(moved, fresh, tmp_path / "ex2", jobs=0)
    assert _logical(db) == _logical(fresh)
    assert _index(db) == _index(fresh)


def _stage_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.json"))}


def _all_tables(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal").fetchall()]
        skip = {"load_errors", "upkeep"}  # times of day
        return {t: sorted(con.execute(f"SELECT * EXCLUDE (loaded_at) FROM {t}" if t == "source_files" else
                                      f"SELECT * FROM {t}").fetchall(), key=repr) for t in names if t not in skip}
    finally:
        con.close()


@pytest.fixture()
def read_ahead(monkeypatch) -> dict[Path, object]:
    """The files a build gave its workers ahead of the plan, with their futures."""
    given: dict[Path, object] = {}
    real = workers.read_ahead

    def recording(pool, paths, raw):
        futures = real(pool, paths, raw)
        given.update(futures)
        return futures

    monkeypatch.setattr(workers, "read_ahead", recording)
    return given


def _small_archive(tmp_path: Path) -> tuple[Path, Path]:
    raw = tmp_path / "raw"
    (raw / "oslo").mkdir(parents=True)
    for n in range(3):
        (raw / "oslo" / f"referat-{n}.txt").write_bytes(badfiles.GOOD_TEXT.read_bytes() + f"\nkopi {n}\n".encode())
    db = tmp_path / "wh" / "m.duckdb"
    run_build(raw, db, tmp_path / "wh" / "ex", jobs=2)
    return raw, db


def test_a_new_file_read_ahead_of_the_plan_loads_as_a_build_that_reads_it_after(tmp_path, read_ahead, monkeypatch):
    """Its stage files and rows (derived by the worker: the build process loads no language tools)
    are those of a build that reads and derives it after the plan."""
    from pipeline.builder import batches

    raw, db = _small_archive(tmp_path)
    shutil.copytree(db.parent, tmp_path / "plain")
    shutil.copy(badfiles.GOOD_PDF, raw / "oslo" / "styresak.pdf")
    tools: list[int] = []
    real_tools = batches.load_language_tools
    monkeypatch.setattr(batches, "load_language_tools", lambda: tools.append(1) or real_tools())
    s = run_build(raw, db, db.parent / "ex", jobs=2)
    assert list(read_ahead) == [raw / "oslo" / "styresak.pdf"] and s.parsed == 1 and s.failed == 0
    assert not tools
    plain = tmp_path / "plain" / "m.duckdb"
    run_build(raw, plain, plain.parent / "ex", jobs=0)  # read in this process, after the plan
    assert _stage_files(db.parent / "ex") == _stage_files(plain.parent / "ex")
    assert _all_tables(db) == _all_tables(plain)


@pytest.mark.parametrize("how", ["touched", "copied"])
def test_a_file_read_ahead_that_the_plan_does_not_want_leaves_no_trace(tmp_path, read_ahead, how):
    """A file that looks new by its time but whose content is known (touched, or a copy under
    another name) is read ahead for nothing: no stage file is written or rewritten, no row changes."""
    raw, db = _small_archive(tmp_path)
    before, stages = _all_tables(db), _stage_files(db.parent / "ex")
    target = raw / "oslo" / "referat-0.txt"
    if how == "copied":
        target = raw / "oslo" / "referat-kopi.txt"
        shutil.copy(raw / "oslo" / "referat-0.txt", target)
    later = time.time() + 5
    os.utime(target, (later, later))
    s = run_build(raw, db, db.parent / "ex", jobs=2)
    assert list(read_ahead) == [target] and s.parsed == 0 and s.failed == 0
    assert (s.duplicates, s.skipped) == ((1, 3) if how == "copied" else (0, 3))
    assert _stage_files(db.parent / "ex") == stages
    assert _all_tables(db) == before


def test_a_file_that_changes_after_it_was_read_ahead_is_read_again(tmp_path, read_ahead, monkeypatch):
    """The plan hashes the file after the worker read it: the content the plan saw is what loads."""
    from pipeline.builder import run as run_module

    raw, db = _small_archive(tmp_path)
    new = raw / "oslo" / "referat-ny.txt"
    new.write_bytes(badfiles.GOOD_TEXT.read_bytes() + "\nførste utgave\n".encode())
    real_plan = run_module.plan

    def plan_after_a_change(*args, **kwargs):
        for future in read_ahead.values():
            future.result()  # type: ignore[attr-defined]  # the worker has read the first version
        new.write_bytes(badfiles.GOOD_TEXT.read_bytes() + b"\nandre utgave\n")
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(run_module, "plan", plan_after_a_change)
    s = run_build(raw, db, db.parent / "ex", jobs=2)
    assert list(read_ahead) == [new] and s.parsed == 1 and s.failed == 0
    sha = ingest.sha256_of(new)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT sha256 FROM source_files WHERE path = ?", [str(new)]).fetchall() == [(sha,)]
    finally:
        con.close()
    assert f"documents/{sha}.json" in _stage_files(db.parent / "ex")
    assert "andre utgave" in (db.parent / "ex" / "text" / f"{sha}.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("chosen", [None, "2"])
def test_a_build_of_a_few_files_merges_on_one_thread_unless_the_threads_were_chosen(tmp_path, monkeypatch, chosen):
    """(DuckDB's threads while the files' groups merge, while the index is kept up) per build."""
    seen: list[tuple[int, int]] = []
    merging_with: list[int] = []
    real_merge, real_upkeep = merge.run, load.sort_search_terms

    def merging(con, *args, **kwargs):
        merging_with.append(con.execute("SELECT current_setting('threads')").fetchone()[0])
        return real_merge(con, *args, **kwargs)

    def upkeep(con, *args, **kwargs):
        seen.append((merging_with.pop(), con.execute("SELECT current_setting('threads')").fetchone()[0]))
        return real_upkeep(con, *args, **kwargs)

    monkeypatch.setattr(merge, "run", merging)
    monkeypatch.setattr(load, "sort_search_terms", upkeep)
    monkeypatch.setenv(connection.THREADS_ENV, "3")
    raw, db = _small_archive(tmp_path)  # 3 files, with the threads chosen: kept
    if chosen is None:
        monkeypatch.delenv(connection.THREADS_ENV)
    else:
        monkeypatch.setenv(connection.THREADS_ENV, chosen)
    configured = connection.settings()["threads"]
    shutil.copy(badfiles.GOOD_PDF, raw / "oslo" / "styresak.pdf")
    run_build(raw, db, db.parent / "ex", jobs=2)
    assert seen == [(3, 3), (1 if chosen is None else configured, configured)]
