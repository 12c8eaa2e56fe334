"""`minutes serve`: the pages, the JSON API, bad input and the security headers, through Starlette's
TestClient over a warehouse built from the bundled raw/ corpus."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from conftest import ROOT
from pipeline.web.app import create_app

INJECTIONS = ["' OR 1=1 --", "x'; DROP TABLE cases; --", "\"); SELECT * FROM source_files; --",
              "<script>alert(1)</script>", "%' UNION SELECT sha256 FROM source_files --", "\x00", "../../etc/passwd"]


@pytest.fixture(scope="module")
def hit(client: TestClient) -> dict:
    results = client.get("/api/search", params={"q": "rehabilitering"}).json()["results"]
    assert results
    return results[0]


def test_home_page_links_every_section(client):
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    for href in ("/search", "/meetings", "/decisions", "/people", "/organisations", "/topics", "/quality"):
        assert f'href="{href}"' in r.text


def test_every_response_has_security_headers_and_no_script(client, hit):
    person = client.get("/api/people", params={"limit": 1}).json()["results"][0]["person_id"]
    for url in ("/", "/search?q=rehabilitering", "/meetings", "/decisions", "/quality", f"/cases/{hit['case_id']}",
                "/api/decisions", "/cases/nope", "/static/style.css", "/people", "/people/" + quote(person, safe=""),
                "/organisations", "/topics", "/topics.csv", "/decisions.csv", "/search?topic=rehabilitering"):
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "<script" not in r.text.lower()


def test_search_finds_rehabilitering_with_facet_counts(client):
    data = client.get("/api/search", params={"q": "rehabilitering"}).json()
    assert data["total"] == len(data["results"]) > 0
    facets = data["facets"]
    assert sum(f["count"] for f in facets["partnership"]) == data["total"]
    assert any(f["value"] == "rehabilitering" for f in facets["topic"])
    page = client.get("/search", params={"q": "rehabilitering"})
    assert page.status_code == 200
    assert 'id="facet-partnership"' in page.text
    assert data["results"][0]["title"] in page.text.replace("&#39;", "'").replace("&amp;", "&")


def test_a_facet_narrows_the_search_to_its_count(client):
    data = client.get("/api/search", params={"q": "rehabilitering"}).json()
    assert set(data["facets"]) == {"partnership", "body", "year", "topic", "outcome", "doc_type"}
    for facet in data["facets"]:
        for f in data["facets"][facet]:
            narrowed = client.get("/api/search", params={"q": "rehabilitering", facet: f["value"]}).json()
            assert narrowed["total"] == f["count"], (facet, f)
            assert narrowed["filters"] == {facet: f["value"]}


def test_search_matches_the_cli_query(client, built_warehouse):
    from pipeline.warehouse import queries
    con = queries.connect(built_warehouse)
    try:
        expected = list(queries.search(con, "rehabilitering", queries.Filters(limit=None))["case_id"])
    finally:
        con.close()
    got = [r["case_id"] for r in client.get("/api/search", params={"q": "rehabilitering", "limit": 500})
           .json()["results"]]
    assert got == expected


def test_meetings_list_and_meeting_page(client):
    data = client.get("/api/meetings").json()
    assert data["total"] == len(data["results"]) > 0
    for m in data["results"]:
        r = client.get("/meetings/" + quote(m["meeting_id"], safe=""))
        assert r.status_code == 200, m["meeting_id"]
        api = client.get("/api/meetings/" + quote(m["meeting_id"], safe="")).json()
        assert api["meeting"]["partnership"] == m["partnership"]
        assert len(api["cases"]) >= (m["cases"] or 0)
        for c in api["cases"]:
            assert f'/cases/{c["case_id"]}' in r.text
    assert "Attendees" in client.get("/meetings/" + quote(data["results"][0]["meeting_id"], safe="")).text


def test_case_page_has_what_minutes_show_has(client, built_warehouse, hit):
    from pipeline import render
    from pipeline.warehouse import queries
    con = queries.connect(built_warehouse)
    try:
        shown = render.plain(queries.show(con, hit["case_id"]))
    finally:
        con.close()
    api = client.get(f"/api/cases/{hit['case_id']}").json()
    assert {k: v for k, v in api.items() if k not in ("page_image", "pages", "people")} == shown
    page = client.get(f"/cases/{hit['case_id']}")
    assert page.status_code == 200
    assert hit["case_id"] in page.text
    for s in shown["sources"]:
        assert s["source_path"] in page.text


def test_references_are_links_to_cases_that_exist(client, built_warehouse):
    from pipeline.warehouse import queries
    con = queries.connect(built_warehouse)
    try:
        rows = con.execute("SELECT case_id, target_case_id FROM v_references "
                           "WHERE target_case_id IS NOT NULL").fetchall()
    finally:
        con.close()
    assert rows, "the corpus has references that resolve to a case"
    for case_id, target in rows:
        page = client.get(f"/cases/{case_id}").text
        assert f'href="/cases/{target}"' in page
        assert client.get(f"/cases/{target}").status_code == 200


def test_source_page_image_is_a_png_and_cached(client, hit):
    page = client.get(f"/cases/{hit['case_id']}").text
    assert f'src="/cases/{hit["case_id"]}/page.png"' in page
    first = client.get(f"/cases/{hit['case_id']}/page.png")
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/png"
    assert first.content.startswith(b"\x89PNG\r\n\x1a\n")
    cache = client.app.state.warehouse.cache
    cached = list(cache.glob("*.png"))
    assert cached
    before = {p: p.stat().st_mtime_ns for p in cached}
    assert client.get(f"/cases/{hit['case_id']}/page.png").content == first.content
    assert {p: p.stat().st_mtime_ns for p in cache.glob("*.png")} == before


def test_decisions_with_filters(client):
    everything = client.get("/api/decisions", params={"limit": 500}).json()
    assert everything["total"] > 0
    for outcome in {d["outcome"] for d in everything["results"] if d["outcome"]}:
        narrowed = client.get("/api/decisions", params={"outcome": outcome, "limit": 500}).json()
        assert narrowed["total"] == sum(d["outcome"] == outcome for d in everything["results"])
    taken = client.get("/api/decisions", params={"taken_only": "1", "limit": 500}).json()
    assert taken["total"] == sum(not d["proposed"] for d in everything["results"])
    oslo = client.get("/api/decisions", params={"partnership": "oslo", "since": "2020-01-01", "limit": 500}).json()
    assert all(d["partnership"] == "oslo" for d in oslo["results"])
    assert client.get("/decisions", params={"partnership": "oslo", "outcome": "approved"}).status_code == 200


def test_every_meeting_link_on_a_page_opens(client):
    import re
    pages = ["/search?q=rehabilitering", "/decisions?limit=500", "/meetings"]
    links = {href for p in pages for href in re.findall(r'href="(/meetings/[^"]+)"', client.get(p).text)}
    assert links
    for href in links:
        assert client.get(href).status_code == 200, href


def test_data_quality_page(client):
    data = client.get("/api/quality").json()
    assert data["counts"]["cases"] > 0
    assert sum(k["n"] for k in data["kinds"]) == len(data["disagreements"])
    assert "Where copies of a document disagree" in client.get("/quality").text


@pytest.mark.parametrize("url", ["/cases/nope", "/cases/nope/page.png", "/meetings/nope", "/api/cases/nope",
                                 "/api/meetings/oslo%7CSSU%7C1900-01-01", "/no-such-page"])
def test_unknown_ids_are_404(client, url):
    r = client.get(url)
    assert r.status_code == 404
    if url.startswith("/api/"):
        assert r.json()["status"] == 404


@pytest.mark.parametrize("params", [{"partnership": "atlantis"}, {"body": "nope"}, {"topic": "nope"},
                                    {"outcome": "maybe"}, {"since": "yesterday"}, {"until": "2024-13-01"},
                                    {"since": "2025-01-01", "until": "2024-01-01"}, {"limit": "many"},
                                    {"limit": "0"}, {"limit": "100000"}, {"offset": "-1"}, {"q": "x" * 501},
                                    {"year": "last"}, {"year": "20245"}, {"doc_type": "nope"},
                                    {"year": "2024", "since": "2025-01-01"}])
def test_bad_filters_are_400(client, params):
    for path in ("/search", "/api/search"):
        r = client.get(path, params={"q": "rehabilitering", **params})
        assert r.status_code == 400, (path, params)
    if "q" not in params and "doc_type" not in params:  # decisions have no document-type filter
        assert client.get("/api/decisions", params=params).status_code == 400


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_are_values_not_sql(client, value):
    search = client.get("/api/search", params={"q": value})
    assert search.status_code == 200
    for name in ("partnership", "body", "topic"):
        assert client.get("/api/decisions", params={name: value}).status_code == 400
    assert client.get("/cases/" + quote(value, safe="")).status_code in (404,)
    assert client.get("/api/meetings/" + quote(value, safe="")).status_code == 404
    html = client.get("/search", params={"q": value}).text
    assert "<script>alert(1)</script>" not in html
    assert client.get("/api/quality").json()["counts"]["cases"] > 0  # nothing dropped


BUILD = """
import sys
from pathlib import Path
from pipeline.builder.lock import warehouse_lock
from pipeline.warehouse.load import _open
db = Path(sys.argv[1])
with warehouse_lock(db):                        # as a build: the lock, then the file for writing
    con = _open(db, read_only=False)            # waits while readers hold the file
    print("open", flush=True)
    sys.stdin.readline()
    con.execute("UPDATE meetings SET location = 'Nytt møterom' WHERE meeting_id = ?", [sys.argv[2]])
    con.close()
print("done", flush=True)
"""


def test_the_server_lets_a_build_in_answers_503_while_it_writes_and_reads_what_it_committed(built_warehouse,
                                                                                           tmp_path):
    import os
    import shutil
    import subprocess
    import sys
    db = tmp_path / "copy.duckdb"
    shutil.copy(built_warehouse, db)
    app = create_app(db, ROOT, tmp_path / "cache")
    with TestClient(app) as c:
        meeting = c.get("/api/meetings").json()["results"][0]["meeting_id"]
        assert c.get("/api/decisions").status_code == 200
        assert c.get("/api/meetings/" + quote(meeting, safe="")).status_code == 200
        assert app.state.warehouse.shared.opened == 1  # one connection shared by the requests
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-c", BUILD, str(db), meeting], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, env=env)
        try:
            assert proc.stdout.readline().strip() == "open"  # the server let the file go
            busy = c.get("/api/decisions")
            assert busy.status_code == 503
            assert busy.headers["retry-after"] == "5"
            assert c.get("/decisions").status_code == 503
        finally:
            out, _ = proc.communicate("\n", timeout=60)
        assert out.strip() == "done"
        after = c.get("/api/meetings/" + quote(meeting, safe=""))
        assert after.status_code == 200
        assert after.json()["meeting"]["location"] == "Nytt møterom"  # what the build committed, no restart


def test_an_idle_server_holds_no_connection(built_warehouse, tmp_path):
    import shutil
    import subprocess
    import sys
    import time
    db = tmp_path / "copy.duckdb"
    shutil.copy(built_warehouse, db)
    app = create_app(db, ROOT, tmp_path / "cache")
    writer = [sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1]).close(); print('open')", str(db)]
    with TestClient(app) as c:
        assert c.get("/api/decisions").status_code == 200
        time.sleep(1.8)  # a second without requests, and the watcher's look
        # a writer that does not wait (not a build): it opens the file at once
        done = subprocess.run(writer, capture_output=True, text=True, timeout=60)
        assert done.stdout.strip() == "open", done.stderr
        assert c.get("/api/decisions").status_code == 200


def test_serve_without_a_warehouse_says_so(tmp_path):
    from click.testing import CliRunner

    from pipeline import cli
    result = CliRunner().invoke(cli.main, ["serve", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "no warehouse; run `minutes build` first" in result.output
