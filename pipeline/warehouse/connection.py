"""The one place a DuckDB connection is opened: every connection the project opens (a build's, the
query commands', the web view's, the benchmarks') gets the same memory limit and number of threads,
set explicitly instead of DuckDB's defaults (80% of the machine's memory, one thread per core).

    MINUTES_DUCKDB_MEMORY   DuckDB's memory_limit, e.g. 2GB, 512MB (default 2GB); beyond it DuckDB
                            spills to a temporary folder beside the warehouse (`<file>.tmp`)
    MINUTES_DUCKDB_THREADS  DuckDB's threads, a whole number >= 1 (default: the machine's cores;
                            a build that loads a few files uses one while it loads and merges them,
                            see `few_rows`)
"""
from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Any

import duckdb

MEMORY_ENV, THREADS_ENV = "MINUTES_DUCKDB_MEMORY", "MINUTES_DUCKDB_THREADS"
DEFAULT_MEMORY = "2GB"
SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)", re.IGNORECASE)


def settings() -> dict[str, Any]:
    """memory_limit and threads, from the environment or the defaults; a bad value is refused with
    one line naming the variable."""
    memory = os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY
    if not SIZE.fullmatch(memory):
        raise duckdb.InvalidInputException(f"{MEMORY_ENV}={memory!r} is not a size such as 2GB or 512MB")
    threads_text = os.environ.get(THREADS_ENV, "").strip() or str(os.cpu_count() or 1)
    if not threads_text.isdigit() or int(threads_text) < 1:
        raise duckdb.InvalidInputException(f"{THREADS_ENV}={threads_text!r} is not a whole number of threads >= 1")
    return {"memory_limit": memory, "threads": int(threads_text)}


def connect(db_path: Path | str, read_only: bool = False, **config: Any) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file with the project's memory limit and threads (and any
    further DuckDB settings given); DuckDB's progress bar is off (it would write into the output
    of a command)."""
    con = duckdb.connect(str(db_path), read_only=read_only, config={**settings(), **config})
    with contextlib.suppress(duckdb.Error):  # in Jupyter without ipywidgets the setting cannot be changed
        con.execute("SET enable_progress_bar = false")
    return con


def few_rows(con: duckdb.DuckDBPyConnection, few: bool) -> None:
    """Statements that touch a few files' rows (the run after a meeting: some 70 small statements)
    run on one thread, unless MINUTES_DUCKDB_THREADS chose the number: handing each to the other
    threads costs more than they gain (one new file into a 2,000-file warehouse: 5-10% of the run).
    `few=False` gives back the configured number, for work over whole tables."""
    if os.environ.get(THREADS_ENV, "").strip():
        return
    con.execute(f"SET threads = {1 if few else settings()['threads']}")
