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
import random
import re
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
from pipeline.warehouse import load, merge, queries  # noqa: E402

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


def build_warehouse(db: Path, parts: dict[str, list], n_cases: int) -> float:
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
    merge.run(con)  # what `minutes build` does after loading: copies into logical cases, then the postings sorted
    load.sort_search_terms(con)
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - start


def timed_queries(db: Path, n: int) -> tuple[list[float], list[tuple[str, queries.Filters]]]:
    rng = random.Random(7)
    con = queries.connect(db)
    plans = []
    for i in range(n):
        q = QUERIES[i % len(QUERIES)]
        f = queries.Filters(limit=20)
        if i % 3 == 1:
            f = queries.Filters(partnership=rng.choice(PARTNERSHIPS), limit=20)
        elif i % 3 == 2:
            f = queries.Filters(since=f"{rng.randint(2016, 2024)}-01-01", body=rng.choice(BODIES)[1], limit=20)
        plans.append((q, f))
    for q, f in plans[:10]:  # warm-up: first touches of the file and the stemmer
        queries.search(con, q, f)
    times = []
    for q, f in plans:
        t = time.perf_counter()
        queries.search(con, q, f)
        times.append((time.perf_counter() - t) * 1000)
    con.close()
    return times, plans


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--db", type=Path, help="keep the synthetic warehouse here (default: a temporary file)")
    args = ap.parse_args()
    import os
    parts = corpus_parts(ROOT / "raw")
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "synthetic.duckdb"
        db.unlink(missing_ok=True)  # built from empty every run
        seconds = build_warehouse(db, parts, args.cases)
        con = queries.connect(db)
        n_cases, n_terms = con.execute(
            "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM search_terms)").fetchone()
        con.close()
        times, plans = timed_queries(db, args.queries)
        size = db.stat().st_size / 2**20
    q = statistics.quantiles(times, n=100)
    slowest = max(range(len(times)), key=times.__getitem__)
    rows = [
        ("machine", f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"),
        ("synthetic warehouse", f"{n_cases:,} cases, {n_terms:,} search-term postings, {size:.0f} MiB, "
                                f"built in {seconds:.0f} s from {len(parts['titles'])} bundled case titles, "
                                f"{len(parts['sentences'])} sentences, {len(parts['decisions'])} decisions"),
        ("queries", f"{len(times)} searches of {len(QUERIES)} Norwegian queries; a third filtered by partnership, "
                    "a third by body and date; top 20"),
        ("search latency p50", f"{q[49]:.1f} ms"),
        ("search latency p95", f"{q[94]:.1f} ms"),
        ("search latency max", f"{max(times):.1f} ms ({plans[slowest][0]!r})"),
        ("targets", "p50 < 50 ms, p95 < 150 ms"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    md = ["# Benchmark: search on 100,000 cases", "",
          f"`python benchmarks/bench_search.py --cases {args.cases} --queries {args.queries}`", "",
          "| measure | result |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
    (ROOT / "benchmarks" / "search_results.md").write_text("\n".join(md) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
