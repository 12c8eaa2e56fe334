"""Benchmark: search latency on a synthetic warehouse of 100,000 cases.

The cases are made from the bundled corpus' own patterns: the titles, case-text sentences, decisions
and attendees `minutes build` extracts from raw/, recombined into meetings of ten partnerships and four
bodies over ten years (seeded, so every run builds the same warehouse). They are loaded through the
pipeline's own load path (warehouse rows, search terms, topics), then `minutes search` queries are
timed through pipeline.queries.search, the function behind the CLI:

    python benchmarks/bench_search.py [--cases 100000] [--queries 300]

Prints a table and writes it to benchmarks/search_results.md.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import derive  # noqa: E402
from pipeline.builder.run import run as run_build  # noqa: E402
from pipeline.models import Attendee, Case, Document, Extraction, SourceFile  # noqa: E402
from pipeline.warehouse import load, merge, queries, search  # noqa: E402

PARTNERSHIPS = ["oslo", "vestfold", "agder", "innlandet", "telemark", "bergen", "trondheim", "tromso", "bodo",
                "stavanger"]
BODIES = [("Strategisk samarbeidsutvalg", "SSU"), ("Faglig samarbeidsutvalg", "FSU"),
          ("Lokalt samarbeidsutvalg", "LSU"), ("Partnerskapsmøte", "PM")]
QUERIES = ["rehabilitering", "fastlege", "handlingsplan", "barn og unge", "psykisk helse", "økonomi budsjett",
           "legevakt", "samarbeidsavtale", "utskrivningsklare pasienter", "digital samhandling", "rekruttering",
           "kompetanse", "samhandlingstilskudd", "eldre", "fagutvalg", "mandat", "styringsinformasjon",
           "jordmor", "delavtale beredskap", "gevinstuttak", "helsefellesskapet", "spesialisthelsetjenesten",
           "kommunene", "referat", "orientering", "sekretariatet", "ung arena", "nasjonal helse og samhandlingsplan",
           "rus", "habilitering", "tjenesteavtaler", "høring", "evaluering", "pasientforløp"]
CASES_PER_DOC = 20


def corpus_parts(raw: Path) -> dict[str, list]:
    """Titles, sentences, decisions and attendees of the bundled corpus, as extracted."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "seed.duckdb"
        run_build(raw, db, Path(tmp) / "extracted", jobs=0)
        con = queries.connect(db)
        cases = con.execute("SELECT title, text, decision FROM copy_cases WHERE title IS NOT NULL").fetchall()
        people = con.execute("SELECT DISTINCT name, organization, title FROM copy_attendees").fetchall()
        con.close()
    sentences = [s.strip() for _, text, _ in cases if text for s in re.split(r"(?<=[.!?])\s+", text)
                 if 4 <= len(s.split()) <= 60]
    return {"titles": [t for t, _, _ in cases], "sentences": sentences,
            "decisions": [d for _, _, d in cases if d], "people": people}


def synthetic_extractions(parts: dict[str, list], n_cases: int, rng: random.Random):
    n_docs = -(-n_cases // CASES_PER_DOC)
    for k in range(n_docs):
        partnership = PARTNERSHIPS[k % len(PARTNERSHIPS)]
        body, abbrev = rng.choice(BODIES)
        date = f"{rng.randint(2016, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        year = date[2:4]
        cases = []
        for c in range(min(CASES_PER_DOC, n_cases - k * CASES_PER_DOC)):
            text = " ".join(rng.sample(parts["sentences"], rng.randint(2, 8)))
            decision = rng.choice(parts["decisions"]) if rng.random() < 0.7 else None
            cases.append(Case(f"{c + 1}/{year}", rng.choice(parts["titles"]), "orientering",
                              "Vedtak" if decision else None, decision, [], {"page": 1 + c // 4}, text))
        attendees = [Attendee(n, o, t, "present", provenance={"page": 1})
                     for n, o, t in rng.sample(parts["people"], min(12, len(parts["people"])))]
        sha = f"{k:064x}"
        src = SourceFile(f"raw/{partnership}/synthetic-{k:06d}.pdf", sha, "pdf", partnership, 1000, 5)
        doc = Document("referat", None, body, abbrev, date, "09:00", "11:00", None, None, None,
                       {"page_start": 1, "page_end": 5}, attendees, cases)
        yield Extraction(src, [doc])


def build_warehouse(db: Path, parts: dict[str, list], n_cases: int) -> dict[str, float]:
    """The synthetic warehouse through the pipeline's load path, then the merge one group of
    documents at a time (a group's merge holds its rows in memory; the groups are independent, so
    the result is the same as merging all at once), then the search index's upkeep (as at the end
    of `minutes build`). Returns seconds and peak memory (MiB) after each step."""
    rng = random.Random(20261123)
    con = load.connect(db)
    start = time.perf_counter()
    batch = []
    for ex in synthetic_extractions(parts, n_cases, rng):
        batch.append((ex, None, derive.frames(ex)))
        if len(batch) == 50:
            load.run_many(con, batch)
            batch = []
    if batch:
        load.run_many(con, batch)
    steps = {"load_s": time.perf_counter() - start, "load_mib": peak_mib()}
    groups = con.execute("SELECT partnership, doc_type FROM merge_pending ORDER BY ALL").fetchall()
    con.execute("DELETE FROM merge_pending")
    for group in groups:
        con.execute("INSERT INTO merge_pending VALUES (?, ?)", list(group))
        merge.run(con)
    steps |= {"merge_s": time.perf_counter() - start, "merge_mib": peak_mib()}
    load.sort_search_terms(con)
    con.execute("CHECKPOINT")
    con.close()
    return steps | {"seconds": time.perf_counter() - start, "index_mib": peak_mib()}


# the tables search reads, and their columns that are ids (made distinct in each copy)
REPLICATED = {"source_files": ("sha256", "path"), "copy_documents": ("copy_doc_id", "sha256"),
              "copy_cases": ("copy_case_id", "copy_doc_id", "sha256"), "search_terms": ("copy_case_id", "sha256"),
              "documents": ("doc_id", "sha256"), "document_sources": ("doc_id", "copy_doc_id", "sha256"),
              "cases": ("case_id", "doc_id", "sha256"), "case_sources": ("case_id", "copy_case_id", "sha256"),
              "case_topics": ("case_id",)}


def replicate(source: Path, db: Path, copies: int) -> float:
    """`copies` copies of the rows search reads from the warehouse at `source` into a new warehouse
    at `db`, each copy's ids prefixed with its number, then its search index made from the stored
    postings (search.rebuild); returns seconds."""
    start = time.perf_counter()
    db.unlink(missing_ok=True)
    con = load.connect(db)
    con.execute("ATTACH ? AS src (READ_ONLY)", [str(source)])
    for table, ids in REPLICATED.items():
        cols = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                          "AND table_catalog = 'src' ORDER BY ordinal_position", [table]).fetchall()]
        picked = ", ".join(f"r.k::VARCHAR || '.' || {c}" if c in ids else c for c in cols)
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {picked} FROM src.{table}, range(?) r(k)",
                    [copies])
    con.execute("DETACH src")
    search.rebuild(con)
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - start


def peak_mib() -> float:
    """The peak resident memory of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rebuild_index(db: Path) -> float:
    """The search index made again from the stored postings (search.rebuild), as after a change to
    the ranking; returns seconds."""
    con = load.connect(db)
    start = time.perf_counter()
    search.rebuild(con)
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - start


def plans(n: int) -> list[tuple[str, queries.Filters]]:
    """n searches: the queries in turn, a third filtered by partnership, a third by body and date."""
    rng = random.Random(7)
    out = []
    for i in range(n):
        f = queries.Filters(limit=20)
        if i % 3 == 1:
            f = queries.Filters(partnership=rng.choice(PARTNERSHIPS), limit=20)
        elif i % 3 == 2:
            f = queries.Filters(since=f"{rng.randint(2016, 2024)}-01-01", body=rng.choice(BODIES)[1], limit=20)
        out.append((QUERIES[i % len(QUERIES)], f))
    return out


def timed_queries(db: Path, searches: list[tuple[str, queries.Filters]]) -> list[float]:
    """Milliseconds of each search through queries.search, the function behind `minutes search`."""
    con = queries.connect(db)
    for q, f in searches[:10]:  # warm-up: first touches of the file and the stemmer
        queries.search(con, q, f)
    times = []
    for q, f in searches:
        t = time.perf_counter()
        queries.search(con, q, f)
        times.append((time.perf_counter() - t) * 1000)
    con.close()
    return times


def kind(f: queries.Filters) -> str:
    return "partnership" if f.partnership else "body and date" if f.body else "none"


def per_query(times: list[float], searches: list[tuple[str, queries.Filters]]) -> list[str]:
    """A markdown row per query: its runs' p50, p95 and max, and the filter of its slowest run."""
    rows = []
    for q in sorted(QUERIES, key=lambda q: -max(t for t, (x, _) in zip(times, searches) if x == q)):
        mine = [(t, f) for t, (x, f) in zip(times, searches) if x == q]
        ts = sorted(t for t, _ in mine)
        slow = max(mine, key=lambda tf: tf[0])[1]
        rows.append(f"| {q} | {len(ts)} | {percentile(ts, 50):.1f} | {percentile(ts, 95):.1f} | {ts[-1]:.1f} | "
                    f"{kind(slow)} |")
    return rows


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile, interpolated between the nearest ranks (as statistics.quantiles)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--db", type=Path, help="keep the synthetic warehouse here (default: a temporary file)")
    ap.add_argument("--copies", type=int, default=1,
                    help="build --cases through the load path, then this many copies of them in SQL (a million "
                         "cases in minutes instead of an hour): the cases, their sources, topics and stored "
                         "postings, ids made distinct; the search index made from those postings")
    ap.add_argument("--reuse", action="store_true", help="time the queries on the warehouse at --db as it is")
    ap.add_argument("--rebuild-index", action="store_true",
                    help="make the search index again from the stored postings before timing")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "search_results.md")
    args = ap.parse_args()
    if args.reuse and not (args.db and args.db.exists()):
        ap.error("--reuse needs the warehouse of an earlier run at --db")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "synthetic.duckdb"
        built = ""
        if not args.reuse:
            parts = corpus_parts(ROOT / "raw")
            db.unlink(missing_ok=True)  # built from empty every run
            first = Path(tmp) / "first.duckdb" if args.copies > 1 else db
            steps = build_warehouse(first, parts, args.cases)
            built = (f"; {args.cases:,} cases built in {steps['seconds']:.0f} s (load {steps['load_s']:.0f} s, merge "
                     f"{steps['merge_s'] - steps['load_s']:.0f} s, index {steps['seconds'] - steps['merge_s']:.0f} s) "
                     f"from {len(parts['titles'])} bundled case titles, {len(parts['sentences'])} sentences, "
                     f"{len(parts['decisions'])} decisions; peak memory of the process {steps['index_mib']:.0f} MiB "
                     f"(after loading {steps['load_mib']:.0f}, after the merge {steps['merge_mib']:.0f})")
            if args.copies > 1:
                seconds = replicate(first, db, args.copies)
                built += (f"; then {args.copies} copies of them (ids made distinct) with their stored postings, "
                          f"and the search index made from those, in {seconds:.0f} s (peak memory of the process "
                          f"{peak_mib():.0f} MiB)")
        if args.rebuild_index:
            built += f"; search index made again from the stored postings in {rebuild_index(db):.0f} s"
            built += f" (peak memory of the process {peak_mib():.0f} MiB)"
        con = queries.connect(db)
        n_cases, n_terms, n_index = con.execute(
            "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM search_terms), "
            "(SELECT count(*) FROM search_postings)").fetchone()
        settings = con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
        con.close()
        searches = plans(args.queries)
        times = timed_queries(db, searches)
        size = db.stat().st_size / 2**20
    load_after = os.getloadavg()
    slowest = max(range(len(times)), key=times.__getitem__)
    rows = [
        ("machine", f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; load average (1, 5, 15 min) "
                    f"{' '.join(f'{x:.1f}' for x in load_before)} before, {' '.join(f'{x:.1f}' for x in load_after)} "
                    "after"),
        ("DuckDB", f"memory_limit {settings[0]}, threads {settings[1]} (pipeline/warehouse/connection.py)"),
        ("synthetic warehouse", f"{n_cases:,} cases, {n_terms:,} search-term postings ({n_index:,} in the search "
                                f"index), {size:,.0f} MiB{built}"),
        ("queries", f"{len(times)} searches of {len(QUERIES)} Norwegian queries; a third filtered by partnership, "
                    "a third by body and date; top 20"),
        ("search latency p50", f"{percentile(times, 50):.1f} ms"),
        ("search latency p95", f"{percentile(times, 95):.1f} ms"),
        ("search latency max", f"{max(times):.1f} ms ({searches[slowest][0]!r}, filter: {kind(searches[slowest][1])})"),
        ("targets", "p95 < 150 ms for every query"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    table = ["| query | runs | p50 ms | p95 ms | max ms | filter of the slowest run |", "|---|---|---|---|---|---|",
             *per_query(times, searches)]
    print("\n".join(table))
    cmd = (f"--db {args.db} --reuse" if args.reuse
           else f"--cases {args.cases}" + (f" --copies {args.copies}" if args.copies > 1 else ""))
    md = [f"# Benchmark: search on {n_cases:,} cases", "",
          f"`python benchmarks/bench_search.py {cmd}{' --rebuild-index' if args.rebuild_index else ''} "
          f"--queries {args.queries}`", "",
          "| measure | result |", "|---|---|", *[f"| {k} | {v} |" for k, v in rows], "", "Per query:", "", *table]
    args.out.write_text("\n".join(md) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
