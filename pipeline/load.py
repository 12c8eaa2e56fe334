"""Stage 6: Extraction -> DuckDB. Each transaction holds whole source files: their old rows are
deleted and their new rows inserted together, so a failure or a kill leaves the previous state
intact."""
from __future__ import annotations

from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from . import __version__, derive, nlp
from .models import DecisionLabel, Extraction
from .normalise import case_key

PROPOSED = {DecisionLabel.FORSLAG_TIL_VEDTAK, DecisionLabel.FORSLAG_TIL_KONKLUSJON, DecisionLabel.INNSTILLING}
FILE_TABLES = ("search_cases", "attachments", "case_references", "search_terms", "case_topics", "extraction_warnings", "attendees", "decisions",
               "cases", "documents", "source_files")
INSERT_ORDER = ("source_files", "meetings", "documents", "cases", "decisions", "attendees", "extraction_warnings",
                "case_topics", "search_terms", "case_references", "attachments", "search_cases")


def connect(db_path: Path, read_only: bool = False, reference_data: bool = True) -> duckdb.DuckDBPyConnection:
    """The warehouse, its schema created or brought up to date when writable; the reference data
    (organisations) refreshed too unless the caller does it later (a build, after its files)."""
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=read_only)
    if not read_only:
        con.execute(resources.files("pipeline").joinpath("schema.sql").read_text("utf-8"))
        if reference_data:
            refresh_reference_data(con)
    return con


def refresh_reference_data(con: duckdb.DuckDBPyConnection) -> None:
    """Organisations and their aliases from taxonomy.toml, replaced whole in one transaction."""
    orgs = nlp.taxonomy()["organisations"]
    aliases = pa.Table.from_pylist([dict(alias=a, canonical=c) for c, names in orgs.items() for a in {*names, c}])
    canon = pa.Table.from_pylist([dict(canonical=c) for c in orgs])
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM organisation_aliases")
        con.execute("DELETE FROM organisations")
        _insert(con, "organisations", canon)
        _insert(con, "organisation_aliases", aliases)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def loaded_files(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    """path -> (sha256, pipeline version that read it) of every loaded source file."""
    rows = con.execute("SELECT path, sha256, pipeline_version FROM source_files").fetchall()
    return {path: (sha, version) for path, sha, version in rows}


def failed_files(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """path -> sha256 of every file whose last attempt failed."""
    return dict(con.execute("SELECT path, sha256 FROM load_errors").fetchall())


def rename_file(con: duckdb.DuckDBPyConnection, sha256: str, new_path: str) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("UPDATE source_files SET path = ? WHERE sha256 = ?", [new_path, sha256])
        con.execute("UPDATE search_cases SET source_path = ? WHERE sha256 = ?", [new_path, sha256])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def remove_file(con: duckdb.DuckDBPyConnection, sha256: str) -> None:
    """Every row that came from one source file, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        delete_file(con, sha256)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def meeting_id(partnership: str, body: str | None, date: str | None) -> str | None:
    return f"{partnership}|{body}|{date}" if date and body else None


def frames(ex: Extraction) -> dict[str, pa.Table]:
    """The warehouse rows of one file's extraction, one Arrow table per warehouse table."""
    src = ex.source
    docs, cases, decisions, attendees, meetings = [], [], [], [], {}
    topics, refs, attached, shown = [], [], [], []
    postings: dict[str, list] = {name: [] for name in SEARCH_TERMS.names}  # column by column: many rows
    for d_seq, doc in enumerate(ex.documents, start=1):
        doc_id = f"{src.sha256}:{d_seq}"
        mid = meeting_id(src.partnership, doc.body_abbrev or doc.body, doc.meeting_date)
        if mid and doc.doc_type in ("referat", "protokoll", "innkalling"):
            meetings.setdefault(mid, dict(meeting_id=mid, partnership=src.partnership, body=doc.body,
                                          body_abbrev=doc.body_abbrev, meeting_date=doc.meeting_date,
                                          start_time=doc.start_time, end_time=doc.end_time, location=doc.location,
                                          chair=doc.chair, minute_taker=doc.minute_taker))
        docs.append(dict(doc_id=doc_id, sha256=src.sha256, seq=d_seq, meeting_id=mid, partnership=src.partnership,
                         doc_type=doc.doc_type, organization=doc.organization, body=doc.body,
                         body_abbrev=doc.body_abbrev, meeting_date=doc.meeting_date, start_time=doc.start_time,
                         end_time=doc.end_time, location=doc.location, chair=doc.chair, minute_taker=doc.minute_taker,
                         page_start=doc.provenance.get("page_start"), page_end=doc.provenance.get("page_end")))
        for c_seq, case in enumerate(doc.cases, start=1):
            case_id = f"{doc_id}:{c_seq}"
            counts, case_topics = derive.terms_and_topics(case.title, case.text, case.decision)
            cases.append(dict(case_id=case_id, doc_id=doc_id, sha256=src.sha256, seq=c_seq, number=case.number,
                              case_key=case_key(case.number), title=case.title, case_type=case.case_type,
                              decision_label=case.decision_label, decision=case.decision,
                              responsible=list(case.responsible), page=case.provenance.get("page"),
                              text=case.text, n_terms=sum(counts.values()), attachment_count=case.attachment_count))
            attached.extend(dict(case_id=case_id, sha256=src.sha256, seq=n, title=t)
                            for n, t in enumerate(case.attachments, start=1))
            doc_len, n = sum(counts.values()), len(counts)
            postings["case_id"] += [case_id] * n
            postings["sha256"] += [src.sha256] * n
            postings["term"] += counts.keys()
            postings["tf"] += counts.values()
            postings["doc_len"] += [doc_len] * n
            topics.extend(dict(case_id=case_id, sha256=src.sha256, topic=t) for t in case_topics)
            outcome = nlp.outcome(case.decision)
            shown.append(dict(case_id=case_id, sha256=src.sha256, partnership=src.partnership,
                              body=doc.body_abbrev or doc.body, meeting_date=doc.meeting_date, doc_type=doc.doc_type,
                              number=case.number, title=case.title, snippet_text=case.decision or case.text or "",
                              outcome=outcome, topics=case_topics, page=case.provenance.get("page"),
                              source_path=src.path))
            refs.extend(dict(case_id=case_id, sha256=src.sha256, ref_text=r[0], ref_body=r[1], ref_date=r[2],
                             ref_case_key=r[3]) for r in derive.references(case.title, case.text, case.decision))
            if case.decision:
                decisions.append(dict(case_id=case_id, doc_id=doc_id, sha256=src.sha256, label=case.decision_label,
                                      text=case.decision, proposed=case.decision_label in PROPOSED,
                                      outcome=outcome, page=case.provenance.get("page")))
        for a_seq, a in enumerate(doc.attendees, start=1):
            attendees.append(dict(doc_id=doc_id, sha256=src.sha256, seq=a_seq, name=a.name,
                                  organization=a.organization, title=a.title, status=a.status,
                                  page=a.provenance.get("page"), person_id=derive.person_id(src.partnership, a.name),
                                  organisation_canonical=derive.organisation(a.organization or a.title),
                                  note=a.note, deputy_for=a.deputy_for, from_case=a.from_case, to_case=a.to_case))
    return {
        "source_files": pa.Table.from_pylist([dict(sha256=src.sha256, path=src.path, format=src.format,
                                                   partnership=src.partnership, pages=src.pages, size=src.size,
                                                   pipeline_version=__version__,
                                                   loaded_at=datetime.now(timezone.utc).replace(tzinfo=None))]),
        "meetings": pa.Table.from_pylist(list(meetings.values())),
        "documents": pa.Table.from_pylist(docs), "cases": pa.Table.from_pylist(cases),
        "decisions": pa.Table.from_pylist(decisions), "attendees": pa.Table.from_pylist(attendees),
        "extraction_warnings": pa.Table.from_pylist([dict(sha256=src.sha256, message=w) for w in ex.warnings]),
        "case_topics": pa.Table.from_pylist(topics), "search_terms": pa.table(postings, schema=SEARCH_TERMS),
        "case_references": pa.Table.from_pylist(refs), "attachments": pa.Table.from_pylist(attached),
        "search_cases": pa.Table.from_pylist(shown, schema=SEARCH_CASES),
    }


SEARCH_TERMS = pa.schema([("case_id", pa.string()), ("sha256", pa.string()), ("term", pa.string()),
                          ("tf", pa.int64()), ("doc_len", pa.int64())])
SEARCH_CASES = pa.schema([("case_id", pa.string()), ("sha256", pa.string()), ("partnership", pa.string()),
                          ("body", pa.string()), ("meeting_date", pa.string()), ("doc_type", pa.string()),
                          ("number", pa.string()), ("title", pa.string()), ("snippet_text", pa.string()),
                          ("outcome", pa.string()), ("topics", pa.list_(pa.string())), ("page", pa.int64()),
                          ("source_path", pa.string())])


def _first_per_key(rows: pa.Table, key: str) -> pa.Table:
    seen: set = set()
    keep = [not (k in seen or seen.add(k)) for k in rows.column(key).to_pylist()]
    return rows.filter(pa.array(keep))


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Rows of an Arrow table into `table`, matched by column name, in one statement."""
    if rows.num_rows == 0:
        return
    cols = ", ".join(rows.column_names)
    con.register("_incoming", rows)
    try:
        if table == "meetings":
            con.execute(f"INSERT INTO meetings ({cols}) SELECT {cols} FROM _incoming "
                        "WHERE meeting_id NOT IN (SELECT meeting_id FROM meetings)")
        else:
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
    finally:
        try:
            con.unregister("_incoming")
        except duckdb.Error:
            pass  # refused inside an aborted transaction; the error that aborted it is already raised


def delete_file(con: duckdb.DuckDBPyConnection, sha256: str) -> None:
    for table in FILE_TABLES:
        con.execute(f"DELETE FROM {table} WHERE sha256 = ?", [sha256])
    con.execute("DELETE FROM meetings WHERE meeting_id NOT IN "
                "(SELECT meeting_id FROM documents WHERE meeting_id IS NOT NULL)")


def run_many(con: duckdb.DuckDBPyConnection,
             items: list[tuple[Extraction, str | None, dict[str, pa.Table]]]) -> None:
    """Load several files' extractions in one transaction (all or none): the earlier rows of each
    file are deleted, then each table gets one insert of every file's rows. One statement per table
    instead of one per table and file is what makes bulk loads fast."""
    con.execute("BEGIN TRANSACTION")
    try:
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
        for table in INSERT_ORDER:
            parts = [data[table] for _, _, data in items if data[table].num_rows]
            if not parts:
                continue
            rows = parts[0] if len(parts) == 1 else pa.concat_tables(parts, promote_options="permissive")
            if table == "meetings":  # the same meeting in several files of the batch: its first row
                rows = _first_per_key(rows, "meeting_id")
            _insert(con, table, rows)
            if table == "search_terms":
                _count_unsorted(con, rows.num_rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _count_unsorted(con: duckdb.DuckDBPyConnection, n: int) -> None:
    con.execute("INSERT INTO upkeep VALUES ('search_terms_unsorted', ?) "
                "ON CONFLICT (name) DO UPDATE SET value = upkeep.value + excluded.value", [n])


SORT_SHARE = 0.10  # re-sort the postings when this share of them was appended since the last sort


def sort_search_terms(con: duckdb.DuckDBPyConnection, force: bool = False) -> bool:
    """Store search_terms in term order again once enough postings were appended out of order, in
    one transaction (a kill leaves the earlier, equally correct order). Returns whether it sorted."""
    row = con.execute("SELECT value FROM upkeep WHERE name = 'search_terms_unsorted'").fetchone()
    unsorted = row[0] if row else 0
    total = con.execute("SELECT count(*) FROM search_terms").fetchone()[0]
    if not unsorted or (not force and unsorted < SORT_SHARE * total):
        return False
    cols = ", ".join(c for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'search_terms' "
        "ORDER BY ordinal_position").fetchall())
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE TEMP TABLE _sorted AS SELECT {cols} FROM search_terms ORDER BY term, case_id")
        con.execute("DELETE FROM search_terms")
        con.execute(f"INSERT INTO search_terms ({cols}) SELECT {cols} FROM _sorted")
        con.execute("DROP TABLE _sorted")
        con.execute("UPDATE upkeep SET value = 0 WHERE name = 'search_terms_unsorted'")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


def record_error(con: duckdb.DuckDBPyConnection, path: str, sha256: str | None, reason: str) -> None:
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM load_errors WHERE path = ?", [path])
    con.execute("INSERT INTO load_errors VALUES (?, ?, ?, ?)",
                [path, sha256, reason, datetime.now(timezone.utc).replace(tzinfo=None)])
    con.execute("COMMIT")
