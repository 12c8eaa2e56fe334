"""Stage 6: a file's derived rows -> DuckDB. Each transaction holds whole source files: their old
rows are deleted and their new rows inserted together, so a failure or a kill leaves the previous
state intact. The groups of documents the files belong to are marked in the same transaction, and
merged into logical documents at the end of the build (merge.py)."""
from __future__ import annotations

import contextlib
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import vocab
from ..derive import Frames
from ..models import Extraction
from . import arrow, layout, merge, search
from .connection import connect as open_duckdb
from .transaction import transaction

log = logging.getLogger(__name__)

FILE_TABLES = ("copy_attachments", "copy_case_references", "search_terms", "extraction_warnings", "copy_attendees",
               "copy_cases", "copy_documents", "source_files")
INSERT_ORDER = ("source_files", "copy_documents", "copy_cases", "copy_attendees", "extraction_warnings", "search_terms",
                "copy_case_references", "copy_attachments")


def connect(db_path: Path, read_only: bool = False, reference_data: bool = True) -> duckdb.DuckDBPyConnection:
    """The warehouse, its schema created or brought up to date when writable; the reference data
    (organisations) refreshed too unless the caller does it later (a build, after its files).
    A warehouse already up to date is not written to (its file is left untouched)."""
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(db_path, read_only)
    if not read_only:
        if _earlier_layout(con):
            _drop_everything(con)  # regenerable from raw/: the next build reads every file again
        elif gone := [t for t in layout.damage(con) if t not in search.INDEX_TABLES]:  # the index: made again
            log.error("%s: damaged (%s missing); made again: every file under raw/ is read again",
                        db_path, ", ".join(gone))
            _drop_everything(con)
        schema = layout.fingerprint(layout.schema_sql())
        if layout.missing(con) or layout.stored(con, "schema_sql") != schema:
            with transaction(con):
                con.execute(layout.schema_sql())
                layout.store(con, "schema_sql", schema)
        if reference_data:
            refresh_reference_data(con)
    return con


LOCK_WAIT_SECONDS = 60.0


def _open(db_path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """The DuckDB file; for writing, waits up to LOCK_WAIT_SECONDS while a query holds it open (a
    process writing it needs it to itself)."""
    deadline = time.monotonic() + (0.0 if read_only else LOCK_WAIT_SECONDS)
    while True:
        try:
            return open_duckdb(db_path, read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).casefold() or time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def _earlier_layout(con: duckdb.DuckDBPyConnection) -> bool:
    """A warehouse of pipeline versions before 0.6 (one row per file's document in `documents`)."""
    tables = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                        "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'").fetchall()}
    return "documents" in tables and "copy_documents" not in tables


def _drop_everything(con: duckdb.DuckDBPyConnection) -> None:
    with transaction(con):
        for (view,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal "
                                   "AND schema_name = 'main'").fetchall():
            con.execute(f'DROP VIEW "{view}"')
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall():
            con.execute(f'DROP TABLE "{table}"')


def refresh_reference_data(con: duckdb.DuckDBPyConnection) -> None:
    """Organisations and their aliases from taxonomy.toml, replaced whole in one transaction when
    they differ from what the warehouse holds."""
    orgs = vocab.taxonomy().organisations
    pairs = sorted({(a, c) for c, names in orgs.items() for a in {*names, c}})
    wanted = layout.fingerprint(repr((sorted(orgs), pairs)))
    if layout.stored(con, "reference_data") == wanted:
        return
    aliases = pa.Table.from_pylist([dict(alias=a, canonical=c) for a, c in pairs])
    canon = pa.Table.from_pylist([dict(canonical=c) for c in orgs])
    with transaction(con):
        con.execute("DELETE FROM organisation_aliases")
        con.execute("DELETE FROM organisations")
        _insert(con, "organisations", canon)
        _insert(con, "organisation_aliases", aliases)
        layout.store(con, "reference_data", wanted)


def loaded_files(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    """path -> (sha256, pipeline version that read it) of every loaded source file."""
    rows = con.execute("SELECT path, sha256, pipeline_version FROM source_files").fetchall()
    return {path: (sha, version) for path, sha, version in rows}


def failed_files(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """path -> sha256 of every file whose last attempt failed."""
    return dict(con.execute("SELECT path, sha256 FROM load_errors").fetchall())


def rename_files(con: duckdb.DuckDBPyConnection, renamed: list[tuple[str, str]]) -> None:
    """Files' new paths, (sha256, new path) each, in one transaction whatever their number (a moved
    raw/ folder renames every file); their documents are merged again (the logical rows name
    their files)."""
    if not renamed:
        return
    paths = pa.table({"sha256": [sha for sha, _ in renamed], "path": [path for _, path in renamed]})
    with transaction(con):
        con.register("_renamed", paths)
        try:
            con.execute("UPDATE source_files SET path = r.path FROM _renamed r WHERE source_files.sha256 = r.sha256")
        finally:
            con.unregister("_renamed")
        merge.mark_files(con, [sha for sha, _ in renamed])


def remove_file(con: duckdb.DuckDBPyConnection, sha256: str) -> None:
    """Every row that came from one source file, in one transaction."""
    with transaction(con):
        delete_file(con, sha256)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Rows of an Arrow table into `table`, matched by column name, in one statement."""
    if rows.num_rows == 0:
        return
    cols = ", ".join(rows.column_names)
    con.register("_incoming", rows)
    try:
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
    finally:
        # refused inside an aborted transaction; the error that aborted it is already raised
        with contextlib.suppress(duckdb.Error):
            con.unregister("_incoming")


def delete_file(con: duckdb.DuckDBPyConnection, sha256: str) -> None:
    merge.mark_files(con, [sha256])  # its documents' groups are merged again without it
    for table in FILE_TABLES:
        con.execute(f"DELETE FROM {table} WHERE sha256 = ?", [sha256])


def run_many(con: duckdb.DuckDBPyConnection, items: list[tuple[Extraction, str | None, Frames]]) -> None:
    """Load several files' extractions in one transaction (all or none): the earlier rows of each
    file are deleted, then each table gets one insert of every file's rows. One statement per table
    instead of one per table and file is what makes bulk loads fast. Their documents' groups are
    marked to be merged (merge.run, at the end of a build)."""
    with transaction(con):
        shas = sorted({sha for ex, replaces, _ in items for sha in (ex.source.sha256, replaces) if sha})
        for (sha,) in con.execute("SELECT sha256 FROM source_files WHERE sha256 IN (SELECT unnest(?))",
                                  [shas]).fetchall():
            delete_file(con, sha)  # rows of an earlier load of the same content, or of the content replaced
        paths = pa.table({"path": [ex.source.path for ex, _, _ in items]})
        con.register("_paths", paths)
        try:
            con.execute("DELETE FROM load_errors WHERE path IN (SELECT path FROM _paths)")
        finally:
            con.unregister("_paths")
        rows = arrow.tables([data for _, _, data in items])  # one Arrow chunk per column: scanned fastest
        for table in INSERT_ORDER:
            if table in rows:
                _insert(con, table, rows[table])
        merge.mark_files(con, [ex.source.sha256 for ex, _, _ in items])


def sort_search_terms(con: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """The search index's upkeep at the end of a build (search.upkeep): made whole when it is of an
    earlier layout, its postings stored in term order again once enough were appended. Returns
    whether it rewrote the postings. Then the checkpoint DuckDB would make when the warehouse is
    closed, made here, where a full disk or a denied write raises (at close it goes unsaid, and the
    build's rows stay in the write-ahead log only)."""
    rewrote = search.upkeep(con, force)
    con.execute("CHECKPOINT")
    return rewrote


def record_error(con: duckdb.DuckDBPyConnection, path: str, sha256: str | None, reason: str) -> None:
    with transaction(con):
        con.execute("DELETE FROM load_errors WHERE path = ?", [path])
        con.execute("INSERT INTO load_errors VALUES (?, ?, ?, ?)",
                    [path, sha256, reason, datetime.now(UTC).replace(tzinfo=None)])
