"""`minutes status`: what the warehouse holds, from which file and when, what failed and why, and
which files under raw/ are new, changed or gone. Reads the warehouse without writing."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..read import ingest
from ..warehouse import load
from .plan import Plan, plan, shown


@dataclass
class Status:
    loaded: pd.DataFrame
    failed: pd.DataFrame
    raw: pd.DataFrame  # path, state (new | changed | unchanged | failed before | renamed | duplicate | gone |
    #                   unreadable | skipped), note


LOADED_SQL = """
SELECT s.path, s.partnership, s.format, s.pages, count(DISTINCT d.copy_doc_id) AS documents,
       count(c.copy_case_id) AS cases, s.loaded_at, s.pipeline_version, s.sha256
FROM source_files s LEFT JOIN copy_documents d USING (sha256) LEFT JOIN copy_cases c ON c.copy_doc_id = d.copy_doc_id
GROUP BY ALL ORDER BY s.path
"""
# a warehouse of a version before 0.6: its files (the next build reads them again)
EARLIER_LAYOUT_SQL = """
SELECT path, partnership, format, pages, NULL AS documents, NULL AS cases, loaded_at, pipeline_version, sha256
FROM source_files ORDER BY path
"""


def run(raw: Path, db_path: Path) -> Status:
    con = load.connect(db_path, read_only=True) if db_path.exists() else None
    try:
        if con is None:
            loaded = pd.DataFrame(columns=["path", "partnership", "format", "pages", "documents", "cases",
                                           "loaded_at", "pipeline_version", "sha256"])
            failed = pd.DataFrame(columns=["path", "reason", "failed_at"])
        else:
            layout = con.execute("SELECT count(*) FROM information_schema.tables "
                                 "WHERE table_name = 'copy_documents'").fetchone()
            loaded = con.execute(LOADED_SQL if layout and layout[0] else EARLIER_LAYOUT_SQL).df()
            failed = con.execute("SELECT path, reason, failed_at FROM load_errors ORDER BY path").df()
        p = plan(raw, con, seconds=ingest.FILE_SECONDS) if raw.is_dir() else Plan()
    finally:
        if con is not None:
            con.close()
    return Status(loaded, failed, raw_states(p))


def raw_states(p: Plan) -> pd.DataFrame:
    rows = [(shown(x), "new", "") for x in p.new]
    rows += [(shown(x), "changed", "") for x in p.changed]
    rows += [(shown(x), "unchanged", "") for x in p.unchanged]
    rows += [(shown(x), "failed before", "") for x in p.failed_before]
    rows += [(shown(new), "renamed", f"was {old}") for old, new, _ in p.renamed]
    rows += [(shown(x), "duplicate", f"same content as {other}") for x, other in p.duplicates]
    rows += [(old, "gone", "loaded, no longer under raw/") for old, _ in p.gone]
    rows += [(shown(x), "unreadable", reason) for x, reason in p.unreadable]
    rows += [(shown(x), "skipped", reason) for x, reason in p.skipped]
    return pd.DataFrame(sorted(rows), columns=["path", "state", "note"])
