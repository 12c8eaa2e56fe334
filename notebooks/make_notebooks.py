"""Writes the notebooks of this folder from the cell sources below (so a change to a notebook is a
reviewable change to this file). Run: python notebooks/make_notebooks.py [--execute]

Each notebook reads the warehouse named by the MINUTES_DB environment variable, default
warehouse/minutes.duckdb (built by `minutes build`), read-only."""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

OPEN = '''import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from pipeline.warehouse import queries

root = Path.cwd() if (Path.cwd() / "warehouse").exists() else Path.cwd().parent
DB = Path(os.environ.get("MINUTES_DB", root / "warehouse" / "minutes.duckdb"))
con = queries.connect(DB)  # read-only
# one row per document, case, decision and attendee, however many files hold a copy of a document
counts = con.execute("""SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM cases),
                               (SELECT count(*) FROM decisions), (SELECT count(*) FROM attendees)""").fetchone()
print(f"{DB.name}: {counts[0]} documents, {counts[1]} cases, {counts[2]} decisions, {counts[3]} attendees")'''

DECISIONS = [
    new_markdown_cell("# Decisions and topics across Oslo and Vestfold over time\n\n"
                      "What the partnerships decide, how decisions end (approved, noted, postponed, rejected), "
                      "and which taxonomy topics (pipeline/data/taxonomy.toml) their cases take up, per year. "
                      "Reads the warehouse built by `minutes build` (set `MINUTES_DB` to use another)."),
    new_code_cell(OPEN),
    new_markdown_cell("## Decisions per partnership and year, by outcome\n\n"
                      "One row per decision: a document loaded both as PDF and as text counts once."),
    new_code_cell('''dec = queries.decisions(con, queries.Filters(limit=None))
dec["year"] = pd.to_datetime(dec["meeting_date"]).dt.year.astype("Int64")
by_outcome = dec.pivot_table(index=["partnership", "year"], columns="outcome", values="number",
                             aggfunc="count", fill_value=0)
by_outcome'''),
    new_code_cell('''ax = by_outcome.plot.bar(stacked=True, figsize=(8, 4))
ax.set_ylabel("decisions"); ax.set_xlabel("partnership, year"); ax.set_title("Decisions by outcome")
plt.tight_layout(); plt.show()'''),
    new_markdown_cell("## Proposed vs taken\n\n`Forslag til vedtak` and `Innstilling` are proposals (case papers, "
                      "notices); `Vedtak` and `Konklusjon` in minutes are what was decided."),
    new_code_cell('''dec.groupby(["partnership", "proposed"]).size().unstack(fill_value=0)'''),
    new_markdown_cell("## Topics over time\n\nCases per topic, partnership and year, from the spaCy "
                      "PhraseMatcher over Snowball stems."),
    new_code_cell('''top = queries.topics(con, queries.Filters(limit=None), by_year=True)
grid = top.pivot_table(index="topic", columns=["partnership", "year"], values="cases", aggfunc="sum", fill_value=0)
grid'''),
    new_code_cell('''fig, ax = plt.subplots(figsize=(9, 5))
im = ax.imshow(grid.values, aspect="auto", cmap="Blues")
ax.set_yticks(range(len(grid.index)), grid.index)
ax.set_xticks(range(len(grid.columns)), [f"{p} {y}" for p, y in grid.columns], rotation=45, ha="right")
for (i, j), n in pd.DataFrame(grid.values).stack().items():
    if n:
        ax.text(j, i, int(n), ha="center", va="center", fontsize=8)
ax.set_title("Cases per topic"); fig.colorbar(im, ax=ax); plt.tight_layout(); plt.show()'''),
    new_markdown_cell("## What has been decided about rehabilitation?\n\nFull-text search (BM25 over stems), "
                      "both partnerships, with source file and page for every row."),
    new_code_cell('''hits = queries.search(con, "rehabilitering", queries.Filters(limit=10))
hits["source"] = hits["source_path"].map(lambda p: Path(p).name)  # the file; its folder is the partnership
hits[["score", "case_id", "partnership", "body", "meeting_date", "number", "title", "source", "page"]]'''),
]

ATTENDANCE = [
    new_markdown_cell("# Attendance by organisation and body\n\n"
                      "Who takes part in the partnerships' bodies, and how often. Only minutes count "
                      "(a notice lists invitees, not attendees). Persons are one per name per partnership; "
                      "names that may be the same person are listed, never merged."),
    new_code_cell(OPEN),
    new_markdown_cell("## Meetings in the warehouse"),
    new_code_cell('''queries.meetings(con, queries.Filters(limit=None))'''),
    new_markdown_cell("## Attendance by organisation and body\n\nOrganisation names are canonical where the "
                      "taxonomy knows an alias (\"OUS\" = \"Oslo universitetssykehus HF\")."),
    new_code_cell('''org = queries.attendance(con, queries.Filters(limit=None), by="organisation")
org.head(20)'''),
    new_code_cell('''counts = (org.groupby(["organisation", "body"])["present"].sum().unstack(fill_value=0))
counts = counts.loc[counts.sum(axis=1).sort_values().index].tail(15)
ax = counts.plot.barh(stacked=True, figsize=(8, 6))
ax.set_xlabel("meetings attended"); ax.set_title("Attendance by organisation and body")
plt.tight_layout(); plt.show()'''),
    new_markdown_cell("## Who attends SSU, and how often"),
    new_code_cell('''ssu = queries.attendance(con, queries.Filters(body="SSU", limit=None))
ssu[["name", "organisation", "partnership", "present", "absent", "unknown", "meetings", "rate"]]'''),
    new_markdown_cell("## Attendees by status\n\nOne row per person listed in a meeting's minutes (the minutes "
                      "loaded as PDF and as text count once)."),
    new_code_cell('''status = queries.sql(con, """
    SELECT partnership, body, meeting_date, status, count(*) AS n FROM v_attendance
    WHERE doc_type IN ('referat', 'protokoll') GROUP BY ALL ORDER BY ALL""")
status["meeting"] = status["partnership"] + " " + status["body"] + " " + status["meeting_date"].dt.strftime("%Y-%m-%d")
ax = status.pivot_table(index="meeting", columns="status", values="n", fill_value=0).plot.bar(stacked=True,
                                                                                          figsize=(7, 4))
ax.set_ylabel("attendees"); ax.set_title("Attendees by status, per meeting"); plt.tight_layout(); plt.show()'''),
    new_markdown_cell("## Names kept apart\n\nPairs where one name's words are all in another's, "
                      "in the same partnership: possibly one person, left for a human to judge."),
    new_code_cell('''queries.people(con, ambiguous=True)'''),
]

NOTEBOOKS = {"decisions_and_topics.ipynb": DECISIONS, "attendance.ipynb": ATTENDANCE}


def build(name: str) -> nbformat.NotebookNode:
    nb = new_notebook(cells=NOTEBOOKS[name])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def main(execute: bool) -> None:
    for name in NOTEBOOKS:
        nb = build(name)
        if execute:
            from nbclient import NotebookClient
            client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(HERE)}})
            client.execute()
        nbformat.write(nb, HERE / name)
        print(HERE / name)


if __name__ == "__main__":
    main("--execute" in sys.argv)
