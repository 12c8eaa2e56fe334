"""The search index.

search_terms holds every copy's postings as loaded (one row per stemmed term of a copy's case).
Search scores each logical case on the postings of its preferred copy alone; the index holds just
those, with a number per case instead of its text key: `search_cases` (one row per logical case:
its number, ids and what the filters read) and `search_postings` (term, number, tf, length), stored
in term order. The merge makes the index rows of the groups it merges again (`index_pending`, in its
transaction); `rebuild` makes the whole index from search_terms and the logical cases, without
reading any file again.

Scoring over it: bm25.py."""
from __future__ import annotations

import duckdb

from .transaction import transaction

INDEX_LAYOUT = 1  # 'search_index' in upkeep: a warehouse with another value gets its index made again
SORT_SHARE = 0.10  # re-sort the postings when this share of them was appended since the last sort
UNSORTED = "search_postings_unsorted"
INDEX_TABLES = ("search_cases", "search_postings")  # made from the stored postings: never a reason to read files again


def _counter(con: duckdb.DuckDBPyConnection, name: str) -> int | None:
    row = con.execute("SELECT value FROM upkeep WHERE name = ?", [name]).fetchone()
    return int(row[0]) if row else None


def _set_counter(con: duckdb.DuckDBPyConnection, name: str, value: int) -> None:
    con.execute("INSERT OR REPLACE INTO upkeep VALUES (?, ?)", [name, value])


def _add(con: duckdb.DuckDBPyConnection, cases_from: str, postings_join: str, postings_where: str,
         free: list[int]) -> int:
    """Index rows for the logical cases `cases_from` selects (FROM … over `cases c`), numbered with
    the `free` numbers first, then after the highest in use (so the numbers stay about as many as
    the cases, and the arrays search indexes by them small), and the postings of their preferred
    copies (`postings_join` picks their rows of search_cases `k`); returns how many postings."""
    import pyarrow as pa  # here: the query commands that do not search do not load it

    chosen = f"{cases_from} JOIN case_sources s ON s.case_id = c.case_id AND s.rank = 1"
    [(count, top)] = con.execute(f"SELECT (SELECT count(*) FROM {chosen}), "
                                 "(SELECT coalesce(max(case_no), 0) FROM search_cases)").fetchall()
    top = max([top, *free])  # a free number may be above every number still in use
    numbers = free[:count] + list(range(top + 1, top + 1 + max(0, count - len(free))))
    con.register("_numbers", pa.table({"i": pa.array(range(1, count + 1), pa.int64()),
                                       "case_no": pa.array(numbers, pa.int64())}))
    try:
        con.execute(f"""INSERT INTO search_cases
                        SELECT n.case_no, x.case_id, x.copy_case_id, x.partnership, x.doc_type, x.body, x.meeting_date
                        FROM (SELECT c.*, s.copy_case_id, row_number() OVER (ORDER BY s.copy_case_id) AS i
                              FROM {chosen}) x JOIN _numbers n USING (i)""")
    finally:
        con.unregister("_numbers")
    [(done,)] = con.execute(f"""INSERT INTO search_postings
                                SELECT t.term, k.case_no, t.tf, t.doc_len
                                FROM search_terms t
                                JOIN search_cases k ON k.copy_case_id = t.copy_case_id {postings_join}
                                WHERE {postings_where} ORDER BY t.term, k.case_no""").fetchall()
    return int(done)


def index_pending(con: duckdb.DuckDBPyConnection, in_unit: str) -> None:
    """The index rows of the units being merged (`_groups` g: a group, or a group's meeting day;
    `in_unit.format(alias)` says whether a row is in one), made again from their logical cases,
    inside the merge's transaction (after the logical rows are written); the new rows take the
    numbers the old ones had. Only the files of those units' copies (`_copies`) have postings to
    read."""
    pending = f"SELECT k.case_no FROM search_cases k JOIN _groups g ON {in_unit.format('k')}"
    free = [n for (n,) in con.execute(f"{pending} ORDER BY 1").fetchall()]
    con.execute(f"DELETE FROM search_postings WHERE case_no IN ({pending})")
    con.execute(f"DELETE FROM search_cases WHERE case_no IN ({pending})")
    added = _add(con, f"cases c JOIN _groups g ON {in_unit.format('c')}", f"JOIN _groups g ON {in_unit.format('k')}",
                 "t.sha256 IN (SELECT DISTINCT sha256 FROM _copies)", free)
    _set_counter(con, UNSORTED, (_counter(con, UNSORTED) or 0) + added)


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """The whole index made again from search_terms and the logical cases, in term order, in one
    transaction."""
    with transaction(con):
        con.execute("DELETE FROM search_postings")
        con.execute("DELETE FROM search_cases")
        _add(con, "cases c", "", "TRUE", [])
        _set_counter(con, UNSORTED, 0)
        _set_counter(con, "search_index", INDEX_LAYOUT)


def upkeep(con: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """At the end of a build: the index made whole if it is of another layout (or was never made),
    else the postings stored in term order again once enough were appended out of order (a kill
    leaves the earlier, equally correct order). Returns whether it rewrote the postings."""
    if not is_built(con):
        rebuild(con)
        return True
    if _counter(con, "search_index") is None:  # made by the merges from an empty warehouse: whole
        _set_counter(con, "search_index", INDEX_LAYOUT)
    unsorted = _counter(con, UNSORTED) or 0
    counted = con.execute("SELECT count(*) FROM search_postings").fetchone()
    total = int(counted[0]) if counted else 0
    if not unsorted or (not force and unsorted < SORT_SHARE * total):
        return False
    with transaction(con):
        con.execute("CREATE TEMP TABLE _sorted AS SELECT term, case_no, tf, doc_len FROM search_postings "
                    "ORDER BY term, case_no")
        con.execute("DELETE FROM search_postings")
        con.execute("INSERT INTO search_postings SELECT * FROM _sorted")
        con.execute("DROP TABLE _sorted")
        _set_counter(con, UNSORTED, 0)
    return True


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the index is of this layout (or of no recorded layout: made by the merges since the
    warehouse was empty)."""
    return _counter(con, "search_index") in (None, INDEX_LAYOUT)


def is_built(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the index is current and holds every logical case (a lost index table, made again
    empty, does not; the merge writes the cases and their index rows in one transaction)."""
    [(cases, indexed)] = con.execute("SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM search_cases)"
                                     ).fetchall()
    return cases == indexed and is_current(con)
