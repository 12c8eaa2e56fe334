"""The `minutes` command line: thin wrappers over the stage modules."""
from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from . import __version__, lazy
from .builder import workers
from .builder.plan import shown
from .builder.run import run as run_build
from .errors import BuildFailed, EnvironmentFault, ExtractError, IngestError, WarehouseBusy, environment_fault, one_line

if TYPE_CHECKING:
    import duckdb
    from click._termui_impl import ProgressBar

# Modules a command needs are imported by that command (DuckDB, the stages, pandas): a build starts
# its workers before it imports the warehouse's libraries, and a query never imports the stages.

DEFAULT_DB = Path("warehouse/minutes.duckdb")
_CONSOLE = False  # set by run(): this process is the `minutes` command, and ends with it


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
    if os.fsencode(file).decode("utf-8", "replace") != str(file):
        raise click.ClickException(f"{os.fsencode(file).decode('utf-8', 'backslashreplace')}: its name is not "
                                   "valid UTF-8; rename it (e.g. convmv -f latin1 -t utf-8)")
    if debug_page is not None:
        _debug_page(file, debug_page, out)
        return
    from . import extract

    outcome = workers.parse_guarded(file, _raw_root(file))  # a bomb or a crash ends the worker, not this
    if outcome.extraction is None:
        raise click.ClickException(f"{file}: {outcome.error}")
    click.echo(extract.to_json(outcome.extraction.to_dict()))


def _debug_page(file: Path, number: int, out: Path | None) -> None:
    from .read import ingest, page_image

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
warehouse (see --wait); 4 the warehouse file cannot be opened; 5 the machine stopped the build (disk
full, permission denied, lock path a link or a folder, --db under a file): nothing recorded against a
file, the next build retries."""


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
        # the `minutes` process ends with the build: Arrow need not look for pandas, nor for numpy
        # (0.1-0.2 s) when the workers read the files (OCR in this process needs it) (lazy.refused)
        unneeded = ("pandas",) if jobs == 0 else ("pandas", "numpy")
        with lazy.refused(*unneeded) if _CONSOLE else contextlib.nullcontext():
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
    except EnvironmentFault as exc:
        progress.close()
        click.echo(f"Error: {exc}", err=True)
        sys.exit(5)
    except Exception as exc:
        import duckdb  # imported by the build before it could raise one of its errors
        if not isinstance(exc, duckdb.Error):
            raise
        if (fault := environment_fault(exc)) is not None:
            progress.close()
            click.echo(f"Error: {db}: cannot write the warehouse ({fault}); nothing recorded against the files, "
                       "the next build loads them", err=True)
            sys.exit(5)
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
            click.echo(f"[{n}/{total}] {shown(outcome.path)}: {what}", err=True)

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
    --raw are new, changed, renamed, duplicates or gone, and which are not read and why (directly
    under raw/, a type minutes does not read). Writes nothing."""
    st = _after_build(db, lambda: _status().run(raw, db))
    pending = st.raw if show_all else st.raw[st.raw.state != "unchanged"]
    if as_json:
        click.echo(json.dumps({"warehouse": str(db), "loaded": _render().records(st.loaded),
                               "failed": _render().records(st.failed), "raw": _render().records(st.raw)},
                              ensure_ascii=False))
        return
    render, width = _render(), _width()
    layout = render.Layout(["path", "partnership", "format", "pages", "documents", "cases", "loaded_at",
                            "pipeline_version"], flexible=["path"], optional=["pipeline_version", "loaded_at"],
                           min_width={"path": 30})
    click.echo(f"warehouse {db}: {len(st.loaded)} files loaded, {len(st.failed)} failed")
    if len(st.loaded):
        click.echo(render.table(st.loaded, layout, width))
    if len(st.failed):
        click.echo("\nfailed:")
        click.echo(render.table(st.failed, render.Layout(["path", "reason", "failed_at"], ["path", "reason"]), width))
    counts = st.raw.state.value_counts().to_dict()
    click.echo(f"\nraw {raw}: " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no files"))
    if len(pending):
        click.echo(render.table(pending, render.Layout(["path", "state", "note"], ["path", "note"],
                                                       min_width={"path": 30, "note": 40}), width))


# --- queries ------------------------------------------------------------------------------------

def _render():
    from . import render
    return render


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
                              help="At most this many rows (0: all); a cut list says how many there are."),
        "format": click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                               show_default=True, help="table: fits the terminal; csv: lists as JSON arrays; "
                                                       "json: dates as YYYY-MM-DD."),
        "wide": click.option("--wide", is_flag=True,
                             help="Table: every column, nothing cut (wider than the terminal)."),
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


def _width() -> int:
    """The terminal's width ($COLUMNS first; 80 when the output is not a terminal)."""
    return shutil.get_terminal_size((80, 24)).columns


def _emit(df, fmt: str, layout=None, wide: bool = False, fixed: tuple = ()) -> None:
    """`fixed`: columns a filter made the same in every row, left out of a table."""
    render = _render()
    total = df.attrs.get("total", len(df))
    note = render.shown_note(len(df), total)
    if fmt == "json":
        click.echo(render.to_json(df))
    elif fmt == "csv":
        click.echo(render.to_csv(df), nl=False)
    else:
        layout = layout or _auto_layout(df)
        if fixed and not wide and len(df):
            layout = render.Layout([c for c in layout.columns if c not in fixed], layout.flexible, layout.optional,
                                   layout.min_width)
        click.echo(render.table(df, layout, _width(), wide))
        if note:
            click.echo(note)
        return
    if note:
        click.echo(note, err=True)


def _auto_layout(df):
    """Every column; text columns may be cut."""
    import pandas as pd
    text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c].dtype)
            and not pd.api.types.is_datetime64_any_dtype(df[c].dtype)]
    return _render().Layout(list(df.columns), flexible=text)


def _unreadable_warehouse(db: Path, exc: Exception, verb: str = "read") -> NoReturn:
    click.echo(f"Error: {db}: cannot {verb} the warehouse ({one_line(str(exc))})", err=True)
    sys.exit(4)


def _build_holding(db: Path) -> str | None:
    """The pid of the build holding the warehouse's lock, if one does."""
    import fcntl
    try:
        fd = os.open(db.with_name(db.name + ".lock"), os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    except BlockingIOError:
        return os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
    finally:
        os.close(fd)


def _after_build(db: Path, fn):
    """fn(), which opens the warehouse read-only. While a build writes the warehouse, DuckDB lets no
    other process open it: then this waits until the build has finished and answers from what it
    committed (saying so on stderr), instead of failing."""
    import duckdb

    told = False
    while True:
        try:
            return fn()
        except duckdb.Error as exc:
            holder = _build_holding(db) if "lock" in str(exc).casefold() else None
            if holder is None:
                _unreadable_warehouse(db, exc)
            if not told:
                click.echo(f"(a build, pid {holder}, is writing {db}: the answer follows when it has finished)",
                           err=True)
                told = True
            time.sleep(0.2)


def _open_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    q = _queries()
    try:
        return _after_build(db, lambda: q.connect(db))
    except (FileNotFoundError, q.OutdatedWarehouse) as exc:
        raise click.ClickException(str(exc)) from exc


def _check_filters(con, kw: dict, doc_type: str | None = None) -> None:
    """An unknown partnership, body or topic is a usage error (exit 2) that names the known ones."""
    known = _queries().known_values(con)
    given = {"partnership": kw.get("partnership"), "body": kw.get("body"), "topic": kw.get("topic"),
             "doc_type": doc_type}
    for name, value in given.items():
        if not value or value.casefold() in {k.casefold() for k in known[name]}:
            continue
        hint = _suggest(name, value, known[name])
        flag = "--type" if name == "doc_type" else f"--{name}"
        raise click.BadParameter(f"unknown {name.replace('_', ' ')} {value!r}{hint}; known: {', '.join(known[name])}",
                                 param_hint=flag)


def _suggest(name: str, value: str, known: list[str]) -> str:
    v = value.casefold()
    near = [k for k in known if v in k.casefold()]
    if name == "topic":
        from . import vocab
        for topic, aliases in vocab.taxonomy().topics.items():
            if any(v == a.casefold() for a in aliases) and topic not in near:
                near.insert(0, topic)
    return f" (did you mean {' or '.join(repr(k) for k in near[:3])}?)" if near else ""


def _run_query(db: Path, fn, fmt: str, kw: dict | None = None, layout=None, wide: bool = False) -> None:
    import duckdb

    con = _open_read_only(db)
    try:
        if kw is not None:
            _check_filters(con, kw)
        df = fn(con)
    except duckdb.Error as exc:
        raise click.ClickException(one_line(str(exc), 500)) from exc
    finally:
        con.close()
    fixed = tuple(k for k in ("partnership", "body") if kw and kw.get(k))
    _emit(df, fmt, layout, wide, fixed)


def _layout(columns: str, flexible: str = "", optional: str = "", **min_width: int):
    return _render().Layout(columns.split(), flexible.split(), optional.split(), min_width)


@functools.cache
def _layouts() -> dict:
    """The tables' layouts, made on first use: the render module brings pandas, which a build never needs."""
    return {
        "search": _layout("score case_id meeting_date partnership body number title snippet outcome source_path page "
                          "copies", "title snippet source_path", "snippet partnership page source_path outcome copies",
                          title=16, snippet=24),
        "decisions": _layout("case_id meeting_date partnership body number title label decision outcome proposed "
                             "source_path page copies", "title decision source_path",
                             "partnership outcome source_path page label proposed copies", title=16, decision=20),
        "cases": _layout("case_id meeting_date partnership body doc_type number title outcome source_path page copies",
                         "title source_path", "page source_path doc_type outcome copies", title=24),
        "documents": _layout("doc_id meeting_date partnership body doc_type organization cases attendees copies "
                             "sources", "organization sources", "sources organization attendees", sources=24),
        "meetings": _layout("meeting_date partnership body start_time end_time location chair minute_taker "
                            "documents cases", "location chair minute_taker", "start_time end_time minute_taker",
                            location=16),
        "attendance": _layout("name organisation partnership body present absent unknown meetings rate",
                              "name organisation", "absent unknown", name=18, organisation=16),
        "people": _layout("name partnership meetings organisations name_variants", "name organisations name_variants",
                          "organisations name_variants"),
        "ambiguous": _layout("partnership name may_be", "name may_be"),
        "topics": _layout("topic partnership year cases decisions", "topic"),
    }


@main.command("search")
@click.argument("query")
@_filters("partnership", "body", "since", "until", "topic", "limit", "format", "wide")
def search_cmd(query: str, db: Path, fmt: str, wide: bool, **kw) -> None:
    """Cases whose title, text or decision match QUERY (Norwegian stemming, BM25 ranking), each once
    however many copies of its document are loaded; the id opens it with `minutes show`."""
    _run_query(db, lambda con: _queries().search(con, query, _make_filters(kw)), fmt, kw, _layouts()["search"], wide)


@main.command("decisions")
@_filters("partnership", "body", "since", "until", "topic", "limit", "format", "wide")
@click.option("--outcome", type=click.Choice(["approved", "noted", "postponed", "rejected", "other"]))
@click.option("--taken-only", is_flag=True, help="Leave out proposed decisions (Forslag til vedtak, Innstilling).")
def decisions_cmd(db: Path, fmt: str, wide: bool, outcome: str | None, taken_only: bool, **kw) -> None:
    """Decisions with partnership, body, date, case, outcome class, topics and the page of the
    decision text; case numbers in their natural order."""
    _run_query(db, lambda con: _queries().decisions(con, _make_filters(kw), outcome, not taken_only), fmt, kw,
               _layouts()["decisions"], wide)


@main.command("cases")
@_filters("partnership", "body", "since", "until", "topic", "limit", "format", "wide")
def cases_cmd(db: Path, fmt: str, wide: bool, **kw) -> None:
    """Cases of notices, minutes and case papers, one row per case (copies of a document merged),
    case numbers in their natural order."""
    _run_query(db, lambda con: _queries().cases(con, _make_filters(kw)), fmt, kw, _layouts()["cases"], wide)


@main.command("show")
@click.argument("case_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_db_option
def show_cmd(case_id: str, fmt: str, db: Path) -> None:
    """One case whole: meeting, number, title, text, decision with its label, outcome and page,
    vote, responsible, attachments, references both ways, topics, and the files it was read from
    with their pages. CASE_ID is the id every list prints (or its first characters)."""
    q = _queries()
    con = _open_read_only(db)
    try:
        found = q.find_case(con, case_id)
        if len(found) != 1:
            con.close()
            if found:
                raise click.BadParameter(f"{case_id!r} begins {len(found)} case ids ({', '.join(found)}); "
                                         "give more characters", param_hint="CASE_ID")
            raise click.BadParameter(f"no case has the id {case_id!r}; the ids are the first column of "
                                     "`minutes cases`, `minutes decisions` and `minutes search`", param_hint="CASE_ID")
        shown = q.show(con, found[0])
    finally:
        con.close()
    if fmt == "json":
        click.echo(json.dumps(_render().plain(shown), ensure_ascii=False, indent=2))
    else:
        click.echo(_case_text(shown, _width()))


def _case_text(shown: dict, width: int) -> str:
    import textwrap
    render = _render()
    c, m, doc, dec = shown["case"], shown["meeting"], shown["document"], shown["decision"]
    width = max(40, width)
    out: list[str] = []

    def line(label: str, value) -> None:
        value = render.text(render.plain(value))
        if value:
            out.append(textwrap.fill(value, width, initial_indent=f"{label:<13}", subsequent_indent=" " * 13))

    def block(label: str, value: str | None) -> None:
        if value:
            out.append(label)
            out.extend(textwrap.fill(p, width, initial_indent="  ", subsequent_indent="  ")
                       for p in value.split("\n") if p.strip())

    out.append(textwrap.fill(f"Case {c['number'] or '(no number)'}: {c['title'] or '(no title)'}", width))
    line("id", c["case_id"])
    when = render.plain(c["meeting_date"])
    times = "–".join(t for t in ((m or {}).get("start_time"), (m or {}).get("end_time")) if t)
    line("meeting", ", ".join(str(x) for x in (c["partnership"], c["body"], when, times, (m or {}).get("location"))
                              if x))
    if m:
        line("chair", m.get("chair"))
        line("minute taker", m.get("minute_taker"))
    pages = "–".join(str(p) for p in dict.fromkeys((doc["page_start"], doc["page_end"])) if p)
    line("document", f"{doc['doc_type']} {doc['doc_id']}, " + (f"pages {pages} of " if pages else "")
         + f"{c['source_path']}" + (f" ({doc['copies']} copies)" if doc["copies"] > 1 else ""))
    line("page", c["page"])
    line("type", c["case_type"])
    line("responsible", c["responsible"])
    line("topics", c["topics"])
    vote = c.get("vote") or {}
    vote = ", ".join(str(x) for x in (vote.get("text"), vote.get("for") is not None and f"{vote['for']} for",
                                      vote.get("against") is not None and f"{vote['against']} against",
                                      vote.get("unanimous") and "unanimous") if x)
    line("vote", vote)
    if dec:
        kind = "proposed" if dec["proposed"] else "taken"
        out.append("")
        block(f"{dec['label'] or 'Decision'} ({kind}; outcome: {dec['outcome'] or 'unknown'}; "
              f"page {dec['page']} of {dec['source_path']})", dec["text"])
    else:
        line("decision", "none recorded")
    if c["text"]:
        out.append("")
        block("Text", c["text"])
    if shown["attachments"] or c.get("attachment_count"):
        out.append("")
        count = c.get("attachment_count")
        out.append("Attachments" + (f" ({count} according to the case)" if count else ""))
        out.extend(f"  {n}. {t}" for n, t in enumerate(shown["attachments"], start=1))
    if shown["references"]:
        out.append("")
        out.append("Refers to")
        for r in shown["references"]:
            target = (f"{r['target_case_id']} ({r['target_doc_type']} {r['target_number']}, "
                      f"{render.plain(r['target_date']) or 'no date'}: {r['target_title']})" if r["target_case_id"]
                      else f"meeting {r['meeting_id']}" if r["meeting_id"] else "not in the warehouse")
            out.append(f"  {r['ref_text']} -> {target}")
    if shown["referenced_by"]:
        out.append("")
        out.append("Referred to by")
        out.extend(f"  {r['case_id']} ({r['doc_type']} {r['number']}, {render.plain(r['meeting_date']) or 'no date'}:"
                   f" {r['title']}): {r['ref_text']}" for r in shown["referenced_by"])
    if shown["same_case_in_meeting"]:
        out.append("")
        out.append("The same case number in the meeting's other documents")
        out.extend(f"  {r['case_id']} ({r['doc_type']} {r['number']}: {r['title']})"
                   for r in shown["same_case_in_meeting"])
    out.append("")
    out.append("Read from")
    for s in shown["sources"]:
        moved = s["decision_page"] and s["decision_page"] != s["page"]
        extra = f", decision on page {s['decision_page']}" if moved else ""
        out.append(f"  {s['source_path']} ({s['format']}), page {s['page']}{extra}")
    if shown["data_quality"]:
        out.append("")
        out.append("Where the copies disagree (the first value is kept)")
        for q in shown["data_quality"]:
            kept, other = q["kept_value"] or "(none)", q["other_value"] or "(none)"
            out.append(textwrap.fill(f"{q['field']} ({q['kind']}): {kept!r} in {q['kept_source']}"
                                     f"; {other!r} in {q['other_source']}", width,
                                     initial_indent="  ", subsequent_indent="    "))
    return "\n".join(out)


@main.command("documents")
@_filters("partnership", "body", "since", "until", "limit", "format", "wide")
@click.option("--type", "doc_type", help="Only this document type (innkalling, referat, protokoll, saksfremlegg, …).")
def documents_cmd(db: Path, fmt: str, wide: bool, doc_type: str | None, **kw) -> None:
    """Documents: one row per document however many copies are loaded (a PDF and its text export),
    with its cases, attendees and the files of its copies, the preferred copy first."""
    def fn(con):
        _check_filters(con, {}, doc_type)
        return _queries().documents(con, _make_filters(kw), doc_type)
    _run_query(db, fn, fmt, kw, _layouts()["documents"], wide)


@main.command("meetings")
@_filters("partnership", "body", "since", "until", "limit", "format", "wide")
def meetings_cmd(db: Path, fmt: str, wide: bool, **kw) -> None:
    """Meetings with times, place, chair, minute taker, their documents and cases (a case named by the
    notice, the minutes and a case paper counts once)."""
    _run_query(db, lambda con: _queries().meetings(con, _make_filters(kw)), fmt, kw, _layouts()["meetings"], wide)


@main.command("attendance")
@_filters("partnership", "body", "since", "until", "limit", "format", "wide")
@click.option("--by", type=click.Choice(["person", "organisation"]), default="person", show_default=True)
@click.option("--person", help="Only people whose name contains this.")
@click.option("--organisation", help="Only organisations whose name contains this.")
def attendance_cmd(db: Path, fmt: str, wide: bool, by: str, person: str | None, organisation: str | None,
                   **kw) -> None:
    """Meetings attended per person or organisation and body, with the attendance rate (minutes only)."""
    _run_query(db, lambda con: _queries().attendance(con, _make_filters(kw), by, person, organisation), fmt, kw,
               _layouts()["attendance"], wide)


@main.command("people")
@_filters("partnership", "limit", "format", "wide")
@click.option("--ambiguous", is_flag=True, help="Names kept apart that may be one person.")
def people_cmd(db: Path, fmt: str, wide: bool, ambiguous: bool, **kw) -> None:
    """People named in attendance lists (one per name and partnership), with name variants."""
    _run_query(db, lambda con: _queries().people(con, _make_filters(kw), ambiguous), fmt, kw,
               _layouts()["ambiguous" if ambiguous else "people"], wide)


@main.command("topics")
@_filters("partnership", "body", "since", "until", "topic", "format", "wide")
@click.option("--by-year", is_flag=True, help="One row per topic, partnership and year.")
def topics_cmd(db: Path, fmt: str, wide: bool, by_year: bool, **kw) -> None:
    """Cases and decisions per topic of the taxonomy (pipeline/data/taxonomy.toml)."""
    _run_query(db, lambda con: _queries().topics(con, _make_filters(kw), by_year), fmt, kw, _layouts()["topics"], wide)


@main.command("sql")
@click.argument("statement")
@_filters("format", "wide")
def sql_cmd(statement: str, db: Path, fmt: str, wide: bool) -> None:
    """Run read-only SQL against the warehouse (tables and v_* views; see README)."""
    if not statement.strip():
        raise click.UsageError("give an SQL statement, e.g. minutes sql 'SELECT count(*) FROM cases'")
    _run_query(db, lambda con: _queries().sql(con, statement), fmt, wide=wide)


@main.command("export")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True,
              help="csv: one record per line, lists as JSON arrays, dates as YYYY-MM-DD.")
@_db_option
def export_cmd(out_dir: Path, fmt: str, db: Path) -> None:
    """Write every table and view of the warehouse to OUT_DIR, one file each."""
    con = _open_read_only(db)
    try:
        if out_dir.exists() and not out_dir.is_dir():
            raise click.ClickException(f"{out_dir}: not a folder")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.ClickException(f"{out_dir}: cannot make the folder ({exc.strerror or exc})") from None
        if not out_dir.is_dir():
            raise click.ClickException(f"{out_dir}: not a folder")
        for name in _queries().tables(con):
            df = con.execute('SELECT * FROM "{}"'.format(name.replace('"', '""'))).df()
            target = _export_target(out_dir, name, fmt)
            try:
                if fmt == "parquet":
                    df.to_parquet(target, index=False)
                else:
                    _render().write_csv(df, target)
            except OSError as exc:
                target.unlink(missing_ok=True)
                raise click.ClickException(f"{target}: cannot write ({exc.strerror or exc})") from None
            click.echo(f"{target}  {len(df)} rows")
    finally:
        con.close()


def _export_target(out_dir: Path, name: str, fmt: str) -> Path:
    """The file a table is exported to: always directly inside out_dir, whatever the table's name
    (`../../x` becomes `_.._.._x`, never a hidden file); characters other than letters, digits, `.`,
    `-` and `_` become `_`."""
    safe = re.sub(r"[^\w.-]", "_", name)
    if not safe.strip(".") or safe.startswith("."):
        safe = "_" + safe
    target = out_dir / f"{safe}.{fmt}"
    if target.resolve().parent != out_dir.resolve():  # a link in out_dir pointing elsewhere
        raise click.ClickException(f"{target}: would be written outside {out_dir}; not written")
    return target


def _raw_root(file: Path) -> Path | None:
    for parent in file.resolve().parents:
        if parent.name == "raw":
            return parent
    return None


@main.command("serve")
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="The folder the build ran in: the warehouse's source paths (raw/...) are taken from it.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the source-page images drawn (default: page-images beside --db).")
def serve_cmd(db: Path, host: str, port: int, root: Path, cache: Path | None) -> None:
    """A read-only web view of the warehouse: search with facets, meetings, cases with their source
    page, decisions, people, organisations, topics over time and data quality as HTML pages, the
    same data as JSON under /api/ and every list as CSV."""
    import uvicorn

    from .web.app import create_app
    try:
        app = _after_build(db, lambda: create_app(db, root, cache))
    except (FileNotFoundError, _queries().OutdatedWarehouse) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"minutes: serving {db} on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def run() -> NoReturn:
    """The `minutes` console script: the command group, then a prompt exit.

    By the time a command returns or exits, the warehouse is closed and the worker processes have
    ended; what is left is to flush the output and the logs (click.echo and the log handler flush
    as they write; this is for anything else). The interpreter's own teardown after that only
    frees memory, 0.3-0.5 s once spaCy and Arrow are loaded (more than a no-op build itself), so
    it is skipped. An exception that escapes a command ends the process the usual way, with its
    traceback."""
    global _CONSOLE
    _CONSOLE = True
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
