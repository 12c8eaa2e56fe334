"""Benchmark: page times of `minutes serve` on a synthetic warehouse of 100,000 cases.

The warehouse is the one benchmarks/bench_search.py makes (its corpus_parts and build_warehouse:
the bundled corpus' titles, sentences, decisions and attendees recombined into ten partnerships, four
bodies and ten years, seeded). The pages are requested through the ASGI app in-process with
Starlette's TestClient (the whole request: routing, the security-header and connection middleware, a
read-only connection opened per request, the queries, the Jinja2 template; no network socket), as
HTML, the way a browser asks for them. The kinds of page are interleaved (search, meeting, case,
then again) so that any load on the machine falls on all of them alike.

    python benchmarks/bench_web.py [--cases 100000] [--rounds 100] [--db FILE [--reuse]]

Prints a table and writes it to benchmarks/web_results.md.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_search import BODIES, PARTNERSHIPS, QUERIES, build_warehouse, corpus_parts  # noqa: E402

from pipeline.warehouse import queries  # noqa: E402

TARGET_P95_MS = 150


def page_urls(db: Path, rounds: int) -> dict[str, list[str]]:
    """`rounds` URLs of each kind of page, seeded: searches (a third filtered by partnership, a third
    by body and date), meetings and cases picked at random from the warehouse, and the other pages."""
    rng = random.Random(11)
    con = queries.connect(db)
    meeting_ids = [m for (m,) in con.execute("SELECT meeting_id FROM meetings ORDER BY meeting_id").fetchall()]
    case_ids = [c for (c,) in con.execute("SELECT case_id FROM cases ORDER BY case_id").fetchall()]
    person_ids = [p for (p,) in con.execute("SELECT DISTINCT person_id FROM attendees ORDER BY 1").fetchall()]
    con.close()
    searches = []
    for i in range(rounds):
        params = {"q": QUERIES[i % len(QUERIES)]}
        if i % 3 == 1:
            params["partnership"] = rng.choice(PARTNERSHIPS)
        elif i % 3 == 2:
            params |= {"body": rng.choice(BODIES)[1], "since": f"{rng.randint(2016, 2024)}-01-01"}
        searches.append("/search?" + urlencode(params))
    return {
        "search": searches,
        "meeting": ["/meetings/" + quote(rng.choice(meeting_ids), safe="") for _ in range(rounds)],
        "case": ["/cases/" + rng.choice(case_ids) for _ in range(rounds)],
        "person": ["/people/" + quote(rng.choice(person_ids), safe="") for _ in range(rounds)],
        "topics": ["/topics?" + urlencode({"partnership": rng.choice(PARTNERSHIPS)}) if i % 2 else "/topics"
                   for i in range(rounds)],
        "decisions": [f"/decisions?offset={rng.randint(0, 500) * 100}" for _ in range(rounds)],
        "people": [f"/people?offset={rng.randint(0, 50) * 100}" for _ in range(rounds)],
    }


def timed(get: Callable[[str], int], urls: dict[str, list[str]]) -> tuple[dict[str, list[float]],
                                                                         dict[str, list[float]]]:
    """Milliseconds per page, wall clock and processor time of this process (all its threads: the
    server's and DuckDB's), the kinds interleaved; the first two of each kind warm up and are not
    counted."""
    times: dict[str, list[float]] = {k: [] for k in urls}
    cpu: dict[str, list[float]] = {k: [] for k in urls}
    rounds = len(next(iter(urls.values())))
    for i in range(rounds):
        for kind, kind_urls in urls.items():
            t, c = time.perf_counter(), time.process_time()
            status = get(kind_urls[i])
            elapsed, used = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
            if status != 200:
                raise SystemExit(f"{kind_urls[i]}: HTTP {status}")
            if i >= 2:
                times[kind].append(elapsed)
                cpu[kind].append(used)
    return times, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=100, help="pages of each kind")
    ap.add_argument("--db", type=Path, help="keep the synthetic warehouse here (default: a temporary file)")
    ap.add_argument("--reuse", action="store_true", help="use the warehouse at --db if it is there")
    args = ap.parse_args()
    from starlette.testclient import TestClient

    from pipeline.web.app import create_app
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "synthetic.duckdb"
        built = "reused"
        if not (args.reuse and db.exists()):
            db.unlink(missing_ok=True)
            built = f"built in {build_warehouse(db, corpus_parts(ROOT / 'raw'), args.cases)['seconds']:.0f} s"
        con = queries.connect(db)
        n_cases, n_meetings, n_attendees = con.execute(
            "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM meetings), (SELECT count(*) FROM attendees)"
        ).fetchone()
        con.close()
        urls = page_urls(db, args.rounds)
        with TestClient(create_app(db, ROOT, Path(tmp) / "page-images")) as client:
            load_before = os.getloadavg()[0]
            times, cpu = timed(lambda url: client.get(url).status_code, urls)
    rows = [
        ("machine", f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; load average (1 min) "
                    f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"),
        ("synthetic warehouse", f"{n_cases:,} cases, {n_meetings:,} meetings, {n_attendees:,} attendee rows "
                                f"(bench_search.py's maker, {built})"),
        ("how", f"the ASGI app in-process through Starlette's TestClient, HTML pages, {args.rounds} of each kind "
                "interleaved, the first 2 of each not counted"),
    ]
    for kind, ms in times.items():
        q = statistics.quantiles(ms, n=100)
        mark = "" if kind not in ("search", "meeting", "case") else (
            " (target p95 < 150 ms: " + ("met" if q[94] < TARGET_P95_MS else "NOT met") + ")")
        c = statistics.quantiles(cpu[kind], n=100)
        rows.append((f"{kind} page", f"p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, max {max(ms):.0f} ms{mark}; "
                                     f"processor time p50 {c[49]:.0f} ms, p95 {c[94]:.0f} ms"))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    md = ["# Benchmark: web pages on 100,000 cases", "",
          f"`python benchmarks/bench_web.py --cases {args.cases} --rounds {args.rounds}`", "",
          "| measure | result |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
    (ROOT / "benchmarks" / "web_results.md").write_text("\n".join(md) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
