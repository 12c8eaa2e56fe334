"""The warehouse a web app serves and each request's read-only connection to it."""
from __future__ import annotations

from pathlib import Path

import duckdb
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ..warehouse import queries


class Warehouse:
    """The warehouse file, the root that source paths are relative to, the page-image cache. A request
    opens its own read-only connection and closes it when answered (see `connection`), so that
    between requests a build can take the warehouse, and the next request reads what it committed."""

    def __init__(self, db: Path, root: Path, cache: Path) -> None:
        self.db, self.root, self.cache = db, root, cache
        queries.connect(db).close()  # a missing or outdated warehouse is said at start

    def source(self, path: str) -> Path | None:
        """A source file the warehouse names, if it is there."""
        p = Path(path)
        p = p if p.is_absolute() else self.root / p
        return p if p.is_file() else None


class OpenConnections:
    """Closes the connection a request opened (`connection`) once its response has been sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            con = scope.get("state", {}).pop("con", None)
            if con is not None:
                con.close()


def warehouse(request: Request) -> Warehouse:
    wh: Warehouse = request.app.state.warehouse
    return wh


def connection(request: Request) -> duckdb.DuckDBPyConnection:
    """The request's read-only connection, opened at its first use; 503 while a build writes."""
    con: duckdb.DuckDBPyConnection | None = getattr(request.state, "con", None)
    if con is None:
        try:
            con = queries.connect(warehouse(request).db)
        except duckdb.Error as exc:
            if "lock" in str(exc).casefold():
                raise HTTPException(503, "a build is writing the warehouse; try again when it has finished",
                                    headers={"retry-after": "5"}) from exc
            raise
        request.state.con = con
    return con
