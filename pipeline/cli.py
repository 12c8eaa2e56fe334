"""The `minutes` command line: thin wrappers over the stage modules."""
from __future__ import annotations

import json
import logging
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
import duckdb

from . import __version__, extract
from .builder import workers
from .builder.run import run as run_build
from .errors import BuildFailed, ExtractError, IngestError, WarehouseBusy, one_line
from .read import ingest, page_image

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

DEFAULT_DB = Path("warehouse/minutes.duckdb")


def _queries():
    """The query module (it brings pandas), imported by the commands that read the warehouse."""
    from .warehouse import queries
    return queries


def _status():
    from .builder import status
    return status


@click.group()
@click.version_option(__version__, prog_name="minutes")
@click.option("-v", "--verbose", is_flag=True, help="Log data-quality warnings for every file.")
def main(verbose: bool) -> None:
    """minutes: meeting documents of Norwegian health partnerships into a DuckDB warehouse."""
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, format="%(levelname)s %(message)s",
                        stream=sys.stderr)


@main.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the extracted JSON (CONTRACT.md §2).")
@click.option("--debug-page", type=click.IntRange(min=1), metavar="N",
              help="Draw page N of a PDF with its ruling lines, rectangles and detected table cells (needs --out).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="PNG file for --debug-page.")
def extract_cmd(file: Path, as_json: bool, debug_page: int | None, out: Path | None) -> None:
    """Run the extraction stages on FILE (PDF or text) and print one JSON object (--json); or draw
    one page of a PDF as a PNG for diagnosing its tables (--debug-page N --out PNG)."""
    if as_json == (debug_page is not None):
        raise click.UsageError("give either --json or --debug-page N --out PNG")
    if debug_page is not None:
        _debug_page(file, debug_page, out)
        return
    try:
        ex, _ = extract.run(file, _raw_root(file))
    except (IngestError, ExtractError) as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    click.echo(extract.to_json(ex.to_dict()))


def _debug_page(file: Path, number: int, out: Path | None) -> None:
    if out is None:
        raise click.UsageError("--debug-page needs --out PNG")
    try:
        source = ingest.run(file)
        if source.format != "pdf":
            raise ExtractError("--debug-page draws PDF pages; this is a text file")
        shown = page_image.draw(file, number, out)
    except (IngestError, ExtractError) as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    click.echo(f"{out}: page {number} of {file}: {shown['lines']} ruling lines, {shown['rects']} rectangles, "
               f"{shown['tables']} tables with {shown['cells']} cells found")


EXIT_CODES = """Exit codes: 0 every file loaded (or unchanged); 1 one or more files failed (the others are loaded;
with --strict the build stopped at the first failure); 2 bad usage; 3 another build holds the
warehouse (see --wait); 4 the warehouse file cannot be opened."""


@main.command("build", epilog=EXIT_CODES)
@click.option("--raw", type=click.Path(file_okay=False, path_type=Path), default=Path("raw"), show_default=True,
              help="Folder of input documents, one sub-folder per partnership.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB, show_default=True,
              help="DuckDB warehouse file.")
@click.option("--extracted", type=click.Path(file_okay=False, path_type=Path), default=Path("extracted"),
              show_default=True, help="Folder for the stage outputs.")
@click.option("--strict", is_flag=True, help="Stop at the first file that fails (exit 1).")
@click.option("--prune", is_flag=True, help="Remove from the warehouse the files that are gone from --raw.")
@click.option("--jobs", type=click.IntRange(min=0), default=None,
              help="Worker processes (default: one per core; 0 parses in this process, without guards).")
@click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="Seconds one file may take before it is given up as failed (each page read by OCR gets as many).")
@click.option("--memory-mb", type=click.IntRange(min=256), default=2048, show_default=True,
              help="Memory limit of a worker process in MiB.")
@click.option("--retry-failed", is_flag=True, help="Parse again files that failed before and have not changed.")
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Seconds to wait for another build to finish before giving up (exit 3).")
@click.option("--from-extracted", is_flag=True,
              help="Load files from their stage files under --extracted instead of reading and parsing them again "
                   "(e.g. into a new warehouse after a schema change); files without one are parsed.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def build_cmd(raw: Path, db: Path, extracted: Path, strict: bool, prune: bool, jobs: int | None, timeout: float,
              memory_mb: int, retry_failed: bool, wait: float, from_extracted: bool, as_json: bool) -> None:
    """Build the warehouse from every document under --raw. New and changed files are parsed (known
    by content hash), each loaded in its own transaction; a file that fails is recorded in
    load_errors and the others still load."""
    if not raw.is_dir():
        raise click.UsageError(f"{raw}: no such folder")
    progress = _Progress()
    try:
        summary = run_build(raw, db, extracted, strict=strict, prune=prune, jobs=jobs,
                            guard=workers.Guard(timeout, memory_mb), retry_failed=retry_failed, wait=wait,
                            on_file=progress, on_page=progress.page, from_extracted=from_extracted)
    except BuildFailed as exc:
        progress.close()
        click.echo(f"Error: stopped (--strict): {exc}", err=True)
        sys.exit(1)
    except WarehouseBusy as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(3)
    except duckdb.Error as exc:
        _unreadable_warehouse(db, exc, "open")
    progress.close()
    click.echo(json.dumps(summary.as_dict(), ensure_ascii=False) if as_json else "\n".join(summary.lines()))
    sys.exit(1 if summary.failed else 0)


class _Progress:
    """A progress bar on a terminal; plain log lines on stderr otherwise (cron, CI). Pages of
    scanned files show as they are read by OCR (`page`, called from a thread)."""

    def __init__(self) -> None:
        self.bar: ProgressBar[int] | None = None
        self.tty = sys.stderr.isatty()
        self.lock = threading.Lock()

    def __call__(self, n: int, total: int, outcome: workers.Outcome) -> None:
        with self.lock:
            if self.tty:
                if self.bar is None:
                    self.bar = click.progressbar(length=total, label="parsing", file=sys.stderr)
                    self.bar.__enter__()
                self.bar.label = "parsing"
                self.bar.update(1)
                return
            what = f"FAILED: {outcome.error}" if outcome.error else f"{outcome.pages} pages"
            click.echo(f"[{n}/{total}] {outcome.path}: {what}", err=True)

    def page(self, path: str, page: int, pages: int) -> None:
        with self.lock:
            what = f"OCR {Path(path).name}: page {page}/{pages}"
            if not self.tty:
                click.echo(f"{what} ({path})", err=True)
            elif self.bar is None:  # before the first file is done: a line the bar overwrites
                click.echo(f"\r{what}\033[K", err=True, nl=False)
            else:
                self.bar.label = what
                self.bar.render_progress()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@main.command("status")
@click.option("--raw", type=click.Path(file_okay=False, path_type=Path), default=Path("raw"), show_default=True)
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--all", "show_all", is_flag=True, help="List unchanged files under --raw too.")
def status_cmd(raw: Path, db: Path, as_json: bool, show_all: bool) -> None:
    """What the warehouse holds (file, when, version), what failed and why, and which files under
    --raw are new, changed, renamed, duplicates or gone. Writes nothing."""
    try:
        st = _status().run(raw, db)
    except duckdb.Error as exc:
        _unreadable_warehouse(db, exc)
    pending = st.raw if show_all else st.raw[st.raw.state != "unchanged"]
    if as_json:
        click.echo(json.dumps({"warehouse": str(db), "loaded": _records(st.loaded), "failed": _records(st.failed),
                               "raw": _records(st.raw)}, ensure_ascii=False, default=str))
        return
    click.echo(f"warehouse {db}: {len(st.loaded)} files loaded, {len(st.failed)} failed")
    if len(st.loaded):
        click.echo(st.loaded.drop(columns=["sha256"]).to_string(index=False))
    if len(st.failed):
        click.echo("\nfailed:")
        click.echo(st.failed.to_string(index=False))
    counts = st.raw.state.value_counts().to_dict()
    click.echo(f"\nraw {raw}: " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no files"))
    if len(pending):
        click.echo(pending.to_string(index=False))


def _records(df) -> list[dict]:
    return json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))


# --- queries ------------------------------------------------------------------------------------

def _db_option(f):
    return click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
                        show_default=True, help="DuckDB warehouse file.")(f)


def _filters(*names: str):
    opts = {
        "partnership": click.option("--partnership", help="Only this partnership (folder name under raw/, e.g. oslo)."),
        "body": click.option("--body", help="Only this body (SSU, FSU, LSU, PM, …)."),
        "since": click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Meetings on or after (YYYY-MM-DD)."),
        "until": click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Meetings on or before (YYYY-MM-DD)."),
        "topic": click.option("--topic", help="Only cases tagged with this topic (see `minutes topics`)."),
        "limit": click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
                              help="At most this many rows (0: all)."),
        "format": click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                               show_default=True),
    }

    def wrap(f):
        for n in reversed(names):
            f = opts[n](f)
        return _db_option(f)
    return wrap


def _make_filters(kw: dict):
    day = lambda d: d.date().isoformat() if d else None  # noqa: E731
    return _queries().Filters(kw.get("partnership"), kw.get("body"), day(kw.get("since")), day(kw.get("until")),
                           kw.get("topic"), kw.get("limit") or None)


def _flat(df, joiner: str | None):
    """List columns as Python lists (JSON) or joined with '; ' (CSV, table)."""
    import numpy as np
    df = df.copy()
    for col in df.columns:
        if df[col].dtype == object and df[col].map(lambda x: isinstance(x, (list, np.ndarray))).any():
            as_list = df[col].map(lambda x: [str(v) for v in x] if isinstance(x, (list, np.ndarray)) else x)
            df[col] = as_list if joiner is None else as_list.map(lambda x: joiner.join(x) if isinstance(x, list) else x)
    return df


def _emit(df, fmt: str) -> None:
    df = _flat(df, None if fmt == "json" else "; ")
    if fmt == "json":
        click.echo(df.to_json(orient="records", date_format="iso", force_ascii=False))
    elif fmt == "csv":
        click.echo(df.to_csv(index=False), nl=False)
    elif df.empty:
        click.echo("(no rows)")
    else:
        import pandas as pd
        with pd.option_context("display.max_colwidth", 70, "display.width", 250, "display.max_rows", None,
                               "display.max_columns", None):
            click.echo(df.to_string(index=False))


def _unreadable_warehouse(db: Path, exc: Exception, verb: str = "read") -> NoReturn:
    click.echo(f"Error: {db}: cannot {verb} the warehouse ({one_line(str(exc))})", err=True)
    sys.exit(4)


def _open_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    try:
        return _queries().connect(db)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    except duckdb.Error as exc:
        _unreadable_warehouse(db, exc)


def _run_query(db: Path, fn, fmt: str) -> None:
    con = _open_read_only(db)
    try:
        df = fn(con)
    except duckdb.Error as exc:
        raise click.ClickException(one_line(str(exc), 500)) from exc
    finally:
        con.close()
    _emit(df, fmt)


@main.command("search")
@click.argument("query")
@_filters("partnership", "body", "since", "until", "topic", "limit", "format")
def search_cmd(query: str, db: Path, fmt: str, **kw) -> None:
    """Cases whose title, text or decision match QUERY (Norwegian stemming, BM25 ranking)."""
    _run_query(db, lambda con: _queries().search(con, query, _make_filters(kw)), fmt)


@main.command("decisions")
@_filters("partnership", "body", "since", "until", "topic", "limit", "format")
@click.option("--outcome", type=click.Choice(["approved", "noted", "postponed", "rejected", "other"]))
@click.option("--taken-only", is_flag=True, help="Leave out proposed decisions (Forslag til vedtak, Innstilling).")
def decisions_cmd(db: Path, fmt: str, outcome: str | None, taken_only: bool, **kw) -> None:
    """Decisions with partnership, body, date, case, outcome class, topics and source page."""
    _run_query(db, lambda con: _queries().decisions(con, _make_filters(kw), outcome, not taken_only), fmt)


@main.command("cases")
@_filters("partnership", "body", "since", "until", "topic", "limit", "format")
def cases_cmd(db: Path, fmt: str, **kw) -> None:
    """Cases of notices, minutes and case papers."""
    _run_query(db, lambda con: _queries().cases(con, _make_filters(kw)), fmt)


@main.command("meetings")
@_filters("partnership", "body", "since", "until", "limit", "format")
def meetings_cmd(db: Path, fmt: str, **kw) -> None:
    """Meetings with times, place, chair, minute taker and counts."""
    _run_query(db, lambda con: _queries().meetings(con, _make_filters(kw)), fmt)


@main.command("attendance")
@_filters("partnership", "body", "since", "until", "limit", "format")
@click.option("--by", type=click.Choice(["person", "organisation"]), default="person", show_default=True)
@click.option("--person", help="Only people whose name contains this.")
@click.option("--organisation", help="Only organisations whose name contains this.")
def attendance_cmd(db: Path, fmt: str, by: str, person: str | None, organisation: str | None, **kw) -> None:
    """Meetings attended per person or organisation and body, with the attendance rate (minutes only)."""
    _run_query(db, lambda con: _queries().attendance(con, _make_filters(kw), by, person, organisation), fmt)


@main.command("people")
@_filters("partnership", "limit", "format")
@click.option("--ambiguous", is_flag=True, help="Names kept apart that may be one person.")
def people_cmd(db: Path, fmt: str, ambiguous: bool, **kw) -> None:
    """People named in attendance lists (one per name and partnership), with name variants."""
    _run_query(db, lambda con: _queries().people(con, _make_filters(kw), ambiguous), fmt)


@main.command("topics")
@_filters("partnership", "body", "since", "until", "topic", "format")
@click.option("--by-year", is_flag=True, help="One row per topic, partnership and year.")
def topics_cmd(db: Path, fmt: str, by_year: bool, **kw) -> None:
    """Cases and decisions per topic of the taxonomy (pipeline/data/taxonomy.toml)."""
    _run_query(db, lambda con: _queries().topics(con, _make_filters(kw), by_year), fmt)


@main.command("sql")
@click.argument("statement")
@_filters("format")
def sql_cmd(statement: str, db: Path, fmt: str) -> None:
    """Run read-only SQL against the warehouse (tables and v_* views; see README)."""
    _run_query(db, lambda con: _queries().sql(con, statement), fmt)


@main.command("export")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@_db_option
def export_cmd(out_dir: Path, fmt: str, db: Path) -> None:
    """Write every table and view of the warehouse to OUT_DIR, one file each."""
    con = _open_read_only(db)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        for name in _queries().tables(con):
            df = con.execute(f'SELECT * FROM "{name}"').df()
            target = out_dir / f"{name}.{fmt}"
            if fmt == "parquet":
                df.to_parquet(target, index=False)
            else:
                df.to_csv(target, index=False, encoding="utf-8")
            click.echo(f"{target}  {len(df)} rows")
    finally:
        con.close()


def _raw_root(file: Path) -> Path | None:
    for parent in file.resolve().parents:
        if parent.name == "raw":
            return parent
    return None


def run() -> NoReturn:
    """The `minutes` console script: the command group, then a prompt exit.

    By the time a command returns or exits, the warehouse is closed and the worker processes have
    ended; what is left is to flush the output and the logs (click.echo and the log handler flush
    as they write; this is for anything else). The interpreter's own teardown after that only
    frees memory, 0.3-0.5 s once spaCy and Arrow are loaded (more than a no-op build itself), so
    it is skipped. An exception that escapes a command ends the process the usual way, with its
    traceback."""
    try:
        main.main(prog_name="minutes")
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`minutes ... | head`): nothing more to say
            code = code or 1
    os._exit(code)


if __name__ == "__main__":
    run()
