"""Search over the search index: the ranking is exact BM25 (checked against a plain computation from
the stored postings, ties included), filters narrow it, the index is made again from the stored
postings, and every connection the project opens has its memory limit and threads set."""
from __future__ import annotations

import math
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline import nlp
from pipeline.cli import main
from pipeline.warehouse import connection, load, queries, search

QUERIES = ["rehabilitering", "samarbeid", "helsefellesskapet samarbeid", "fastlege avtale",
           "nasjonal helse og samhandlingsplan", "referat", "orientering"]


def reference_ranking(db: Path, query: str, where: str = "TRUE", params: list | None = None) -> list[tuple[str, float]]:
    """BM25 computed plainly in Python: each logical case scored on its preferred copy's postings as
    loaded (search_terms), N and the mean length over all logical cases, df over the preferred
    postings; rounded to 3 decimals as DuckDB's round does; best first, equal scores by copy id."""
    con = connection.connect(db, read_only=True)
    try:
        lengths = [n for (n,) in con.execute("SELECT n_terms FROM cases").fetchall()]
        preferred = dict(con.execute("SELECT copy_case_id, case_id FROM case_sources WHERE rank = 1").fetchall())
        allowed = {c for (c,) in con.execute(f"SELECT case_id FROM cases WHERE {where}", params or []).fetchall()}
        postings = con.execute("SELECT copy_case_id, term, tf, doc_len FROM search_terms").fetchall()
    finally:
        con.close()
    terms = set(nlp.terms(query))
    docs, avg_len = len(lengths), sum(lengths) / len(lengths)
    mine = [(cid, term, tf, dl) for cid, term, tf, dl in postings if cid in preferred and term in terms]
    df = Counter(term for _, term, _, _ in mine)
    total: dict[str, float] = defaultdict(float)
    for cid, term, tf, dl in mine:
        idf = math.log(1 + (docs - df[term] + 0.5) / (df[term] + 0.5))
        length = avg_len if dl is None else dl
        total[cid] += idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * length / avg_len))
    scored = [(cid, math.floor(s * 1000 + 0.5) / 1000) for cid, s in total.items() if preferred[cid] in allowed]
    return [(preferred[cid], s) for cid, s in sorted(scored, key=lambda cs: (-cs[1], cs[0]))]


def ranking(db: Path, query: str, f: queries.Filters) -> tuple[list[tuple[str, float]], int]:
    con = queries.connect(db)
    try:
        df = queries.search(con, query, f)
    finally:
        con.close()
    return list(zip(df["case_id"], df["score"])), df.attrs["total"]


def test_ranking_equals_reference_bm25_ties_included(built_warehouse):
    ties = 0
    for q in QUERIES:
        expected = reference_ranking(built_warehouse, q)
        assert expected, q
        found, total = ranking(built_warehouse, q, queries.Filters(limit=None))
        assert found == expected and total == len(expected), q
        scores = [s for _, s in expected]
        tied = [i for i in range(1, len(scores)) if scores[i] == scores[i - 1]]
        ties += len(tied)
        # a limit that cuts inside a run of equal scores keeps the reference order
        for n in {1, 2, 5, *(i for i in tied[:3]), *(i + 1 for i in tied[:3])}:
            part, part_total = ranking(built_warehouse, q, queries.Filters(limit=n))
            assert part == expected[:n] and part_total == len(expected), (q, n)
    assert ties > 0  # the queries do exercise equal scores


@pytest.mark.parametrize(("f", "where", "params"), [
    (queries.Filters(partnership="oslo", limit=None), "partnership = ?", ["oslo"]),
    (queries.Filters(body="ssu", since="2024-01-01", limit=None), "lower(body) = 'ssu' AND meeting_date >= ?",
     ["2024-01-01"]),
    (queries.Filters(topic="rehabilitering", limit=3), "case_id IN (SELECT case_id FROM case_topics "
                                                       "WHERE topic = ?)", ["rehabilitering"]),
])
def test_filters_narrow_the_cases_before_scoring(built_warehouse, f, where, params):
    """A filter picks cases; their scores stay those of the whole warehouse (N and df unchanged)."""
    for q in ("samarbeid", "helsefellesskapet samarbeid"):
        expected = reference_ranking(built_warehouse, q, where, params)
        found, total = ranking(built_warehouse, q, f)
        assert expected and found == expected[:f.limit] and total == len(expected), q


def test_index_made_again_from_the_stored_postings_ranks_the_same(built_warehouse, raw_dir, tmp_path):
    """search.rebuild makes the index from search_terms and the logical cases alone; a warehouse
    whose index is of an earlier layout is refused by queries until a build (which reads no file
    again) makes it."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(built_warehouse, db)
    before = [ranking(db, q, queries.Filters(limit=None)) for q in QUERIES]
    con = load.connect(db)
    con.execute("CREATE TEMP TABLE shuffled AS SELECT * FROM search_postings ORDER BY random()")
    con.execute("DELETE FROM search_postings")
    con.execute("INSERT INTO search_postings SELECT * FROM shuffled")
    con.close()
    assert [ranking(db, q, queries.Filters(limit=None)) for q in QUERIES] == before  # order is only speed
    con = load.connect(db)
    search.rebuild(con)
    terms = [t for (t,) in con.execute("SELECT term FROM search_postings").fetchall()]
    con.execute("UPDATE upkeep SET value = 0 WHERE name = 'search_index'")  # as one of an earlier layout
    con.close()
    assert terms == sorted(terms)
    with pytest.raises(queries.OutdatedWarehouse, match="search index"):
        queries.connect(db)
    r = CliRunner().invoke(main, ["build", "--raw", str(raw_dir), "--db", str(db), "--extracted",
                                  str(tmp_path / "x"), "--jobs", "0"])
    assert r.exit_code == 0, r.output
    assert [ranking(db, q, queries.Filters(limit=None)) for q in QUERIES] == before


def test_postings_are_sorted_again_once_enough_were_appended(built_warehouse, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(built_warehouse, db)
    con = load.connect(db)
    try:
        total = con.execute("SELECT count(*) FROM search_postings").fetchone()[0]
        con.execute("INSERT OR REPLACE INTO upkeep VALUES ('search_postings_unsorted', 1)")
        assert not load.sort_search_terms(con)  # 1 posting appended out of order: not worth a sort
        assert load.sort_search_terms(con, force=True)
        con.execute("INSERT OR REPLACE INTO upkeep VALUES ('search_postings_unsorted', ?)", [total // 5])
        assert load.sort_search_terms(con)
        assert con.execute("SELECT value FROM upkeep WHERE name = 'search_postings_unsorted'").fetchone() == (0,)
    finally:
        con.close()


def settings_of(con) -> tuple[str, str]:
    return con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()


def test_every_connection_has_its_memory_limit_and_threads(built_warehouse, tmp_path, monkeypatch):
    monkeypatch.delenv(connection.MEMORY_ENV, raising=False)
    monkeypatch.delenv(connection.THREADS_ENV, raising=False)
    import os
    for opener in (queries.connect, lambda db: connection.connect(db, read_only=True)):
        con = opener(built_warehouse)
        try:
            memory, threads = settings_of(con)
        finally:
            con.close()
        assert memory == "1.8 GiB" and int(threads) == (os.cpu_count() or 1)  # 2GB, as DuckDB shows it
    monkeypatch.setenv(connection.MEMORY_ENV, "512MB")
    monkeypatch.setenv(connection.THREADS_ENV, "1")
    for opener in (queries.connect, lambda db: load.connect(tmp_path / "new.duckdb")):
        con = opener(built_warehouse)
        try:
            assert settings_of(con) == ("488.2 MiB", 1)
        finally:
            con.close()


def test_a_bad_setting_is_one_line_naming_the_variable(built_warehouse, raw_dir, tmp_path):
    import os
    env = {**os.environ, connection.MEMORY_ENV: "lots"}
    r = subprocess.run([sys.executable, "-m", "pipeline", "search", "samarbeid", "--db", str(built_warehouse)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 4 and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and "MINUTES_DUCKDB_MEMORY='lots' is not a size" in r.stderr
    env = {**os.environ, connection.THREADS_ENV: "0"}
    r = subprocess.run([sys.executable, "-m", "pipeline", "build", "--raw", str(raw_dir), "--db",
                        str(tmp_path / "m.duckdb"), "--extracted", str(tmp_path / "x")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 4 and "Traceback" not in r.stderr and "MINUTES_DUCKDB_THREADS='0'" in r.stderr


def test_search_results_keep_their_columns(built_warehouse):
    con = queries.connect(built_warehouse)
    try:
        df = queries.search(con, "rehabilitering", queries.Filters(limit=5))
    finally:
        con.close()
    assert list(df.columns) == queries.SEARCH_COLUMNS and len(df) == 5
    assert pd.api.types.is_datetime64_any_dtype(df["meeting_date"])


def test_merging_again_reuses_the_case_numbers(built_warehouse, tmp_path):
    """Each merge makes its groups' index rows again; they take the numbers the old rows had, so the
    numbers (and the arrays search indexes by them) stay as many as the cases."""
    from pipeline.warehouse import merge
    db = tmp_path / "copy.duckdb"
    shutil.copy(built_warehouse, db)
    before = [ranking(db, q, queries.Filters(limit=None)) for q in QUERIES]
    con = load.connect(db)
    try:
        for _ in range(3):
            assert merge.run(con, everything=True) > 0
        # a build from empty made the index through its merges, and recorded its layout
        assert con.execute("SELECT value FROM upkeep WHERE name = 'search_index'").fetchone() == (search.INDEX_LAYOUT,)
        top, n, cases = con.execute("SELECT max(case_no), count(DISTINCT case_no), (SELECT count(*) FROM cases) "
                                    "FROM search_cases").fetchone()
    finally:
        con.close()
    assert top == n == cases
    assert [ranking(db, q, queries.Filters(limit=None)) for q in QUERIES] == before


def test_many_hits_are_fetched_by_a_join_with_the_same_rows(built_warehouse, monkeypatch):
    con = queries.connect(built_warehouse)
    try:
        by_key = queries.search(con, "samarbeid", queries.Filters(limit=None))
        monkeypatch.setattr(queries, "BY_KEY", 2)
        joined = queries.search(con, "samarbeid", queries.Filters(limit=None))
    finally:
        con.close()
    assert len(by_key) > 2
    pd.testing.assert_frame_equal(by_key, joined)


def test_a_warehouse_from_before_the_index_gets_it_without_reading_a_file_again(built_warehouse, raw_dir, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(built_warehouse, db)
    before = [ranking(db, q, queries.Filters(limit=None)) for q in QUERIES]
    con = connection.connect(db)
    loaded = con.execute("SELECT path, loaded_at FROM source_files ORDER BY path").fetchall()
    con.execute("DROP TABLE search_postings")
    con.execute("DROP TABLE search_cases")
    con.close()
    with pytest.raises(queries.OutdatedWarehouse, match="search index"):
        queries.connect(db)
    con = load.connect(db)  # the tables made again, empty: the index is not whole until the build
    try:
        assert not search.is_built(con) and con.execute("SELECT count(*) FROM search_cases").fetchone() == (0,)
    finally:
        con.close()
    r = CliRunner().invoke(main, ["build", "--raw", str(raw_dir), "--db", str(db), "--extracted",
                                  str(tmp_path / "x"), "--jobs", "0"])
    assert r.exit_code == 0, r.output
    con = connection.connect(db, read_only=True)
    try:
        assert con.execute("SELECT path, loaded_at FROM source_files ORDER BY path").fetchall() == loaded
    finally:
        con.close()
    assert [ranking(db, q, queries.Filters(limit=None)) for q in QUERIES] == before
