"""`minutes serve`: people and organisation pages, topics over time, paging and CSV of every list, the
decision's own source page, through Starlette's TestClient over a warehouse built from raw/. Counts
are checked against SQL written here on the warehouse's tables, not against the app's own queries."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from test_web import INJECTIONS

LISTS = {"/meetings": {}, "/decisions": {}, "/people": {}, "/organisations": {},
         "/search": {"q": "samarbeid"}}
KEYS = {"/meetings": "meeting_id", "/decisions": "case_id", "/people": "person_id", "/organisations": "organisation",
        "/search": "case_id"}


@pytest.fixture(scope="module")
def sql(built_warehouse: Path):
    from pipeline.warehouse import queries
    con = queries.connect(built_warehouse)
    yield lambda statement, params=(): con.execute(statement, list(params)).fetchall()
    con.close()


def _text(html: str) -> str:
    return html.replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')


# --- people and organisations ------------------------------------------------------------------------

def test_people_list_counts_everyone_the_minutes_list(client, sql):
    expected = sql("""SELECT a.person_id, count(DISTINCT d.meeting_id) FROM attendees a JOIN documents d USING (doc_id)
                      WHERE d.doc_type IN ('referat', 'protokoll') GROUP BY ALL""")
    data = client.get("/api/people", params={"limit": 500}).json()
    assert data["total"] == len(expected) > 10
    assert {p["person_id"]: p["meetings"] for p in data["results"]} == dict(expected)
    presents = [p["present"] for p in data["results"]]
    assert presents == sorted(presents, reverse=True)


def test_person_page_lists_the_meetings_with_status_and_links_back(client, sql):
    person = client.get("/api/people", params={"limit": 1}).json()["results"][0]
    pid = person["person_id"]
    data = client.get("/api/people/" + quote(pid, safe="")).json()
    assert data["person"]["name"] == person["name"]
    assert sum(y["present"] for y in data["by_year"]) == person["present"]
    listed = sql("""SELECT DISTINCT d.meeting_id FROM attendees a JOIN documents d USING (doc_id)
                    WHERE a.person_id = ? AND d.meeting_id IS NOT NULL""", [pid])
    meetings = data["meetings"]["results"]
    assert sorted(m["meeting_id"] for m in meetings) == sorted(m for (m,) in listed)
    assert {m["status"] for m in meetings} <= {"present", "absent", "unknown", "invited"}
    page = client.get("/people/" + quote(pid, safe=""))
    assert page.status_code == 200
    for href in re.findall(r'href="(/meetings/[^"]+)"', page.text):
        meeting = client.get(href)
        assert meeting.status_code == 200, href
        assert f'href="/people/{quote(pid, safe="")}"' in meeting.text  # the meeting page links the person


def test_organisation_pages_list_their_people_and_attendance(client, sql):
    orgs = client.get("/api/organisations", params={"limit": 500}).json()
    expected = sql("""SELECT DISTINCT coalesce(a.organisation_canonical, a.organization) FROM attendees a
                      JOIN documents d USING (doc_id) WHERE d.doc_type IN ('referat', 'protokoll')
                      AND coalesce(a.organisation_canonical, a.organization) IS NOT NULL""")
    assert sorted(o["organisation"] for o in orgs["results"]) == sorted(o for (o,) in expected)
    for org in orgs["results"][:5]:
        data = client.get("/api/organisations/" + quote(org["organisation"], safe="")).json()
        assert sum(y["present"] for y in data["by_year"]) == org["meetings_present"]
        people = data["people"]["results"]
        assert len(people) >= org["people"]
        for p in people:
            assert org["organisation"] in client.get("/api/people/" + quote(p["person_id"], safe="")).json()[
                "person"]["organisations"]
        html = client.get("/organisations/" + quote(org["organisation"], safe=""))
        assert html.status_code == 200
        assert org["organisation"] in _text(html.text)


def test_meeting_and_case_pages_link_people_and_organisations(client, sql):
    (mid,) = sql("""SELECT d.meeting_id FROM attendees a JOIN documents d USING (doc_id)
                    WHERE d.meeting_id IS NOT NULL AND a.organisation_canonical IS NOT NULL LIMIT 1""")[0]
    page = client.get("/meetings/" + quote(mid, safe="")).text
    people = re.findall(r'href="(/people/[^"]+)"', page)
    orgs = re.findall(r'href="(/organisations/[^"]+)"', page)
    assert people and orgs
    for href in set(people + orgs):
        assert client.get(href).status_code == 200, href
    rows = sql("""SELECT c.case_id FROM cases c JOIN meetings m USING (meeting_id) JOIN attendees a
                  ON a.person_id = c.partnership || '|' || lower(m.chair) WHERE m.chair IS NOT NULL LIMIT 1""")
    if rows:
        assert re.search(r'<dt>Chair</dt><dd><a class="person" href="/people/', client.get(f"/cases/{rows[0][0]}").text)


# --- topics over time ---------------------------------------------------------------------------------

def test_topics_chart_is_svg_whose_bars_open_the_search_with_that_count(client):
    page = client.get("/topics")
    assert page.status_code == 200
    svg = re.search(r'<svg id="topics-chart".*?</svg>', page.text, re.S)
    assert svg
    assert "<script" not in svg.group(0) and "style=" not in svg.group(0) and "http://" not in svg.group(0).replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    bars = re.findall(r'<a class="bar" href="([^"]+)"><title>[^<]*: (\d+) cases?</title>', svg.group(0))
    assert len(bars) > 5
    for href, count in bars:
        found = client.get("/api/search" + _text(href)[len("/search"):]).json()
        assert found["total"] == int(count), href


def test_topics_filters_narrow_and_sum_to_the_cases(client, sql):
    everything = client.get("/api/topics").json()
    expected = dict(sql("""SELECT t.topic, count(*) FROM case_topics t JOIN cases c USING (case_id)
                           WHERE c.meeting_date IS NOT NULL GROUP BY ALL"""))
    assert {t["topic"]: t["total"] for t in everything["topics"]} == expected
    oslo = client.get("/api/topics", params={"partnership": "oslo"}).json()
    assert oslo["filters"] == {"partnership": "oslo"}
    by_topic = {t["topic"]: t["total"] for t in everything["topics"]}
    assert all(t["total"] <= by_topic[t["topic"]] for t in oslo["topics"])
    assert sum(t["total"] for t in oslo["topics"]) < sum(by_topic.values())
    for t in oslo["topics"]:
        assert all("partnership=oslo" in y["href"] for y in t["years"])
    rows = list(csv.DictReader(io.StringIO(client.get("/topics.csv").text)))
    assert sum(int(r["cases"]) for r in rows) == sum(expected.values())


# --- paging and CSV --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", LISTS)
def test_pages_of_a_list_make_the_whole_list(client, path):
    base = LISTS[path]
    whole = client.get("/api" + path, params={**base, "limit": 500}).json()
    assert whole["total"] == len(whole["results"]) > 3
    keys = [tuple(sorted(str(v) for v in r.values())) for r in whole["results"]]
    paged, offset = [], 0
    while offset < whole["total"]:
        page = client.get("/api" + path, params={**base, "offset": offset, "limit": 3}).json()
        assert page["total"] == whole["total"]
        assert page["paging"]["first"] == offset + 1
        paged += [tuple(sorted(str(v) for v in r.values())) for r in page["results"]]
        offset += 3
    assert paged == keys
    past = client.get("/api" + path, params={**base, "offset": whole["total"] + 10}).json()
    assert past["results"] == [] and past["total"] == whole["total"]
    html = client.get(path, params={**base, "offset": 3, "limit": 3}).text
    assert f"showing 4–{min(6, whole['total'])} of {whole['total']}" in html
    assert 'rel="prev"' in html and ('rel="next"' in html) == (whole["total"] > 6)
    if whole["total"] > 6:
        assert "offset=6" in html  # the next page is a stable URL


@pytest.mark.parametrize("path", LISTS)
def test_every_list_as_csv_has_the_rows_of_its_json(client, path):
    base = LISTS[path]
    r = client.get(path + ".csv", params={**base, "limit": 500})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    data = client.get("/api" + path, params={**base, "limit": 500}).json()
    assert len(rows) == len(data["results"])
    assert list(rows[0]) == list(data["results"][0])
    assert [row[KEYS[path]] for row in rows] == [x[KEYS[path]] for x in data["results"]]


def test_csv_keeps_norwegian_letters(client):
    text = client.get("/people.csv", params={"limit": 500}).content.decode("utf-8")
    assert any(ch in text for ch in "æøåÆØÅ")


# --- the decision's page ------------------------------------------------------------------------------

def test_a_decision_on_another_page_links_that_page(client, sql):
    rows = sql("""SELECT s.case_id, arg_min(s.page, s.rank), arg_min(s.decision_page, s.rank) FROM case_sources s
                  JOIN source_files f USING (sha256) WHERE f.format = 'pdf' GROUP BY s.case_id""")
    elsewhere = [(c, p, d) for c, p, d in rows if d and d != p]
    same = [c for c, p, d in rows if d and d == p]
    assert elsewhere and same
    decisions = client.get("/decisions", params={"limit": 500}).text
    for case_id, page, decision_page in elsewhere:
        html = client.get(f"/cases/{case_id}").text
        assert f'id="decision-page-link" href="/cases/{case_id}/decision.png"' in html
        assert f"The decision is on page {decision_page} of the PDF, not on the case's page {page}" in html
        image = client.get(f"/cases/{case_id}/decision.png")
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        assert image.content != client.get(f"/cases/{case_id}/page.png").content
        if sql("SELECT 1 FROM decisions WHERE case_id = ?", [case_id]):
            assert f'href="/cases/{case_id}/decision.png"' in decisions
    for case_id in same[:3]:
        assert "decision-page-link" not in client.get(f"/cases/{case_id}").text


def test_the_source_pdf_opens_at_the_case_page(client, sql):
    (case_id, page, sha) = sql("""SELECT s.case_id, s.page, s.sha256 FROM case_sources s JOIN source_files f
                                  USING (sha256) WHERE f.format = 'pdf' AND s.rank = 1 AND s.page > 1 LIMIT 1""")[0]
    html = client.get(f"/cases/{case_id}").text
    assert f'href="/files/{sha}.pdf#page={page}"' in html
    pdf = client.get(f"/files/{sha}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (txt,) = sql("SELECT sha256 FROM source_files WHERE format <> 'pdf' LIMIT 1")[0]
    assert client.get(f"/files/{txt}.pdf").status_code == 404


# --- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_on_the_new_pages(client, value):
    everyone = client.get("/api/people").json()["total"]
    for path in ("/api/people", "/api/organisations"):
        r = client.get(path, params={"name": value})
        # a NUL is dropped from a text filter, which then filters nothing
        assert r.status_code == 200 and (r.json()["total"] == 0 or value == "\x00"), path
    assert client.get("/api/people", params={"organisation": value}).json()["total"] in (0, everyone)
    for path in ("/people/", "/api/people/", "/organisations/", "/api/organisations/", "/files/"):
        assert client.get(path + quote(value, safe="")).status_code == 404, path
    for name in ("partnership", "body"):
        assert client.get("/api/topics", params={name: value}).status_code == 400
    html = client.get("/people", params={"name": value}).text
    assert "<script>alert(1)</script>" not in html
    assert client.get("/api/people", params={"limit": 500}).json()["total"] > 10  # nothing dropped


@pytest.mark.parametrize("params", [{"partnership": "atlantis"}, {"body": "nope"}, {"since": "yesterday"},
                                    {"until": "2024-13-01"}, {"limit": "0"}, {"limit": "501"}, {"offset": "-1"},
                                    {"offset": "x"}, {"year": "1800"}, {"name": "x" * 501}])
def test_bad_filters_on_the_new_pages_are_400(client, params):
    for path in ("/api/people", "/api/organisations", "/people", "/organisations", "/api/meetings",
                 "/decisions.csv"):
        if ("name" in params and path in ("/api/meetings", "/decisions.csv")
                or params.get("limit") == "501" and path.endswith(".csv")):  # a CSV list may be longer
            continue
        r = client.get(path, params=params)
        assert r.status_code == 400, (path, params)
        if path.startswith("/api/") or path.endswith(".csv"):
            assert r.json()["status"] == 400 and r.json()["error"]
    if "name" not in params and "limit" not in params and "offset" not in params:
        assert client.get("/api/topics", params=params).status_code == 400


def test_a_csv_list_may_be_longer_than_a_page(client):
    assert client.get("/decisions.csv", params={"limit": 5000}).status_code == 200
    assert client.get("/api/decisions", params={"limit": 5000}).status_code == 400


def test_search_highlights_the_words_found(client):
    html = client.get("/search", params={"q": "rehabiliteringen"}).text
    marks = re.findall(r"<mark>([^<]+)</mark>", html)
    assert marks and all(m.casefold().strip(".,:;()").startswith("rehabilitering") for m in marks)
    escaped = client.get("/search", params={"q": "<b>rehabilitering</b>"}).text
    assert "<b>rehabilitering</b>" not in escaped


def test_the_shared_connection_is_read_only_without_file_access(client):
    import duckdb
    assert client.get("/api/decisions").status_code == 200
    shared = client.app.state.warehouse.shared
    cursor = shared.cursor()
    try:
        for statement in ("CREATE TABLE x (a INTEGER)", "DELETE FROM cases", "SELECT * FROM read_csv('/etc/passwd')",
                          f"COPY cases TO '{Path(client.app.state.warehouse.cache) / 'x.csv'}'"):
            with pytest.raises(duckdb.Error):
                cursor.execute(statement)
    finally:
        shared.done(cursor)


def test_the_shared_connection_waits_for_the_request_reading_through_it(client):
    import time
    shared = client.app.state.warehouse.shared
    cursor = shared.cursor()
    try:
        time.sleep(1.8)  # idle for longer than the server keeps the connection: a request still reads
        assert cursor.execute("SELECT count(*) FROM cases").fetchone()[0] > 0
        assert shared._con is not None
    finally:
        shared.done(cursor)
    deadline = time.monotonic() + 5
    while shared._con is not None:  # let go once the last reader is done
        assert time.monotonic() < deadline, "the shared connection was not let go"
        time.sleep(0.05)
    assert client.get("/api/decisions").status_code == 200  # and opened again for the next request


def test_the_next_page_of_a_search_reuses_its_facet_counts_until_the_warehouse_changes(client, monkeypatch):
    import os

    from pipeline.web import browse
    calls = []
    real = browse.facets
    monkeypatch.setattr(browse, "facets", lambda *a, **k: calls.append(a[1:]) or real(*a, **k))
    first = client.get("/api/search", params={"q": "samarbeidsavtalen", "limit": 2}).json()
    second = client.get("/api/search", params={"q": "samarbeidsavtale", "limit": 2, "offset": 2}).json()
    assert first["total"] > 2 and first["facets"] == second["facets"]
    assert first["results"] != second["results"]
    assert len(calls) == 1  # the same words once stemmed: counted once
    partnership = first["facets"]["partnership"][0]["value"]
    client.get("/api/search", params={"q": "samarbeidsavtale", "partnership": partnership})
    assert len(calls) == 2  # a filter is another search
    db = client.app.state.warehouse.db
    st = db.stat()
    os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # as a build leaves it
    client.get("/api/search", params={"q": "samarbeidsavtale", "limit": 2})
    assert len(calls) == 3
