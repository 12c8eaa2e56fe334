"""BM25 scoring over the search index (search.py).

Scoring is exact BM25 (k1 1.2, b 0.75; N and the mean length over the logical cases, df over the
preferred postings), rounded to 3 decimals as DuckDB's round does; equal scores are ordered by the
preferred copy's id. Each query term's postings are read as arrays and scored with the same
floating-point operations as the SQL formula; several terms are added per case number (integers,
not text keys); a filter is a mask of case numbers; only the hits at or above the k-th score are
joined to their ids, which break the ties.

numpy is imported by this module alone: a build, which keeps the index (search.py) but never
scores, does not load it."""
from __future__ import annotations

import math
from typing import Any

import duckdb
import numpy as np

BM25_K1, BM25_B = 1.2, 0.75


def ranked(con: duckdb.DuckDBPyConnection, terms: list[str], where: str, params: list[Any],
           limit: int | None) -> tuple[list[tuple[str, float]], int]:
    """(case id, score) of the best `limit` cases (all with None) for the stemmed query terms, best
    first, equal scores in the order of their preferred copies' ids, and how many cases match.
    `where` (over search_cases' partnership, body, meeting_date and case_id) picks the cases that
    may be hits; N, the mean length and df stay those of the whole warehouse.

    Term at a time: each term's postings are read as arrays (one range of the term-ordered index)
    and their BM25 parts computed; with several terms they are added into an array indexed by case
    number, in the terms' sorted order. The best are found by partial selection, and only those
    (with every case tied with the k-th) are joined to their ids."""
    [row] = con.execute("SELECT count(*), avg(n_terms), (SELECT coalesce(max(case_no), 0) FROM search_cases) "
                        "FROM cases").fetchall()
    if not row[0]:
        return [], 0
    docs, avg_len, size = int(row[0]), float(row[1]), int(row[2]) + 1
    lists = [(case_no, _parts(tf, dl, _idf(docs, len(case_no)), avg_len))  # one posting per case and term
             for case_no, tf, dl in (_postings(con, term, avg_len) for term in sorted(terms)) if len(case_no)]
    if not lists:
        return [], 0
    allowed = None
    if where != "TRUE":
        allowed = np.zeros(size, dtype=bool)
        allowed[con.execute(f"SELECT case_no FROM search_cases WHERE {where}", params).fetchnumpy()["case_no"]] = True
    if len(lists) == 1:  # one term: its postings are the hits
        hits, score = lists[0]
        if allowed is not None:
            keep = allowed[hits]
            hits, score = hits[keep], score[keep]
        picked, rounded = _top(hits, score, limit)
        return _in_order(con, picked, rounded, limit), len(hits)
    total, (picked, rounded) = _summed(lists, size, allowed, limit)
    return _in_order(con, picked, rounded, limit), total


def _summed(lists: list[tuple[Any, Any]], size: int, allowed: Any, limit: int | None) -> tuple[int, tuple[Any, Any]]:
    """Several terms: their parts added into an array indexed by case number, in the terms' sorted
    order; how many cases match, and the best. The k-th best score of one term's hits is a floor for
    the k-th best of all, so only the hits above it (less the rounding) are rounded and selected."""
    score = np.zeros(size)
    matched = np.zeros(size, dtype=bool)
    for case_no, parts in lists:
        score[case_no] += parts
        matched[case_no] = True
    if allowed is not None:
        matched &= allowed
    total = int(np.count_nonzero(matched))
    rarest = min((case_no for case_no, _ in lists), key=len)  # its hits score high
    seed = rarest[matched[rarest]]
    floor = 0.0
    if limit and len(seed) >= limit:
        floor = np.partition(score[seed], len(seed) - limit)[len(seed) - limit] - 0.001
    hits = np.flatnonzero((score >= floor) & matched) if floor > 0 else np.flatnonzero(matched)
    return total, _top(hits, score[hits], limit)


def _idf(docs: int, df: int) -> float:
    return math.log(1 + (docs - df + 0.5) / (df + 0.5))


def _parts(tf: Any, dl: Any, idf: float, avg_len: float) -> Any:
    """idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avg_len)) per posting, with exactly the
    floating-point operations SQL does for it (each product or sum of two values is the same either
    way round), so the same doubles as the formula in DuckDB; in place, without temporary arrays."""
    den = dl * BM25_B
    den /= avg_len
    den += 1 - BM25_B
    den *= BM25_K1
    den += tf
    num = tf * idf
    num *= BM25_K1 + 1
    num /= den
    return num


def _rounded(x: Any) -> Any:
    """DuckDB's round(x, 3): half away from zero (scores are positive)."""
    return np.floor(x * 1000 + 0.5) / 1000


def _top(hits: Any, score: Any, limit: int | None) -> tuple[Any, Any]:
    """The case numbers and rounded scores of the best `limit` hits and of every hit tied with the
    k-th (all hits without a limit)."""
    rounded = _rounded(score)
    if not limit or len(hits) <= limit:
        return hits, rounded
    kth = np.partition(rounded, len(rounded) - limit)[len(rounded) - limit]
    keep = rounded >= kth  # the k-th and every case tied with it: their ids decide
    return hits[keep], rounded[keep]


def _in_order(con: duckdb.DuckDBPyConnection, picked: Any, rounded: Any, limit: int | None) -> list[tuple[str, float]]:
    """(case id, score) of the picked case numbers, best first, equal scores by preferred copy id."""
    import pyarrow as pa

    con.register("_picked", pa.table({"case_no": picked, "score": rounded}))
    try:
        rows = con.execute(f"SELECT k.case_id, p.score FROM _picked p JOIN search_cases k USING (case_no) "
                           f"ORDER BY p.score DESC, k.copy_case_id{' LIMIT ?' if limit else ''}",
                           [limit] if limit else []).fetchall()
    finally:
        con.unregister("_picked")
    return [(cid, float(s)) for cid, s in rows]


def _postings(con: duckdb.DuckDBPyConnection, term: str, avg_len: float) -> tuple[Any, Any, Any]:
    """A term's postings as arrays: case numbers, term frequencies, case lengths (the mean length
    where a length is unknown). Read through Arrow, the cheapest way out of DuckDB in bulk."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = con.sql("SELECT case_no, tf, doc_len FROM search_postings WHERE term = ?", params=[term]).to_arrow_table()
    lengths = t.column("doc_len")
    if lengths.null_count:
        lengths = pc.fill_null(lengths.cast(pa.float64()), avg_len)
    return t.column("case_no").to_numpy(), t.column("tf").to_numpy(), lengths.to_numpy()
