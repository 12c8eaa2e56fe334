"""The warehouse a web app serves and each request's read-only connection to it."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import duckdb
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ..warehouse import queries

IDLE_SECONDS = 1.0  # the shared connection is let go after this long without a request
WATCH_SECONDS = 0.2  # how often the watcher looks for a build


def build_running(db: Path) -> bool | None:
    """Whether a build holds the warehouse's lock (builder/lock.py: an exclusive flock on
    DB.lock), read from /proc/locks without touching the lock (taking it even for a moment could
    turn a build away); None where that cannot be known (no /proc/locks)."""
    try:
        inode = os.stat(db.with_name(db.name + ".lock")).st_ino
    except FileNotFoundError:
        return False
    except OSError:
        return None
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            return any(len(p) > 5 and p[1] == "FLOCK" and p[3] == "WRITE" and p[5].endswith(f":{inode}")
                       for p in (line.split() for line in f))
    except OSError:
        return None


class SharedConnection:
    """One read-only connection kept open between requests, each request reading through a cursor
    of its own (opening the warehouse costs some 35 ms of processor time; a cursor, nothing). It is
    let go once no request reads through it, as soon as a build takes the warehouse's lock (a
    watcher thread looks every 0.2 s; the build's writer waits up to 60 s for readers to let go) or
    after a second without requests; while a build runs, requests open the file each on their own,
    as the CLI's queries do. Where a running build cannot be seen (no /proc/locks), nothing is
    shared. (Closing a connection closes its cursors: it waits for the last one.)"""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.opened = 0  # times the warehouse was opened for sharing
        self._con: duckdb.DuckDBPyConnection | None = None
        self._reading = 0  # cursors handed out and not yet done
        self._closing = False  # let go when the last cursor is done
        self._last = 0.0
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._watch, name="minutes-serve-watch", daemon=True).start()

    def cursor(self) -> duckdb.DuckDBPyConnection | None:
        """A cursor on the shared connection (give it back with `done`), or None while a build runs
        (or cannot be seen)."""
        building = build_running(self.db) is not False
        with self._mutex:
            if building:
                self._let_go()
                return None
            if self._con is None:
                self._con = queries.connect(self.db)
                self.opened += 1
            self._closing = False
            self._reading += 1
            self._last = time.monotonic()
            return self._con.cursor()

    def done(self, cursor: duckdb.DuckDBPyConnection) -> None:
        cursor.close()
        with self._mutex:
            self._reading -= 1
            self._last = time.monotonic()
            if self._closing and not self._reading:
                self._let_go()

    def _let_go(self) -> None:
        """Closes the connection now if no request reads through it, else when the last is done
        (called holding the mutex)."""
        self._closing = True
        if self._con is not None and not self._reading:
            self._con.close()
            self._con, self._closing = None, False

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            if self._con is None:
                continue
            building = build_running(self.db) is not False
            with self._mutex:
                if building or time.monotonic() - self._last > IDLE_SECONDS:
                    self._let_go()

    def stop(self) -> None:
        self._stop.set()
        with self._mutex:
            self._let_go()


class Warehouse:
    """The warehouse file, the root that source paths are relative to, the page-image cache, the
    connection shared between requests. Each request reads through a connection of its own (see
    `connection`), so that a build can take the warehouse, and the next request reads what it
    committed."""

    def __init__(self, db: Path, root: Path, cache: Path) -> None:
        self.db, self.root, self.cache = db, root, cache
        queries.connect(db).close()  # a missing or outdated warehouse is said at start
        self.shared = SharedConnection(db)

    def source(self, path: str) -> Path | None:
        """A source file the warehouse names, if it is there."""
        p = Path(path)
        p = p if p.is_absolute() else self.root / p
        return p if p.is_file() else None


class OpenConnections:
    """Closes the connection (or cursor) a request opened (`connection`) once its response has been sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            state = scope.get("state", {})
            con = state.pop("con", None)
            if con is not None and state.pop("shared", False):
                scope["app"].state.warehouse.shared.done(con)
            elif con is not None:
                con.close()


def warehouse(request: Request) -> Warehouse:
    wh: Warehouse = request.app.state.warehouse
    return wh


def connection(request: Request) -> duckdb.DuckDBPyConnection:
    """The request's read-only connection (a cursor on the shared one, or while a build runs its
    own), opened at its first use; 503 while a build writes."""
    con: duckdb.DuckDBPyConnection | None = getattr(request.state, "con", None)
    if con is None:
        wh = warehouse(request)
        try:
            con = wh.shared.cursor()
            request.state.shared = con is not None
            con = con or queries.connect(wh.db)
        except queries.OutdatedWarehouse as exc:  # damaged or of an earlier layout: the next build mends it
            raise HTTPException(503, str(exc)) from exc
        except duckdb.Error as exc:
            if "lock" in str(exc).casefold():
                raise HTTPException(503, "a build is writing the warehouse; try again when it has finished",
                                    headers={"retry-after": "5"}) from exc
            raise
        request.state.con = con
    return con
