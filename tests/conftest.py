from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RAW = ROOT / "raw"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    from pipeline.builder.run import run as run_build
    out = tmp_path_factory.mktemp("wh")
    summary = run_build(RAW, out / "minutes.duckdb", out / "extracted")
    assert summary.failed == 0, summary.failures
    return out / "minutes.duckdb"


@pytest.fixture(scope="module")
def client(built_warehouse: Path, tmp_path_factory):
    """`minutes serve`'s application over the bundled warehouse, through Starlette's TestClient."""
    from starlette.testclient import TestClient

    from pipeline.web.app import create_app
    app = create_app(built_warehouse, ROOT, tmp_path_factory.mktemp("page-images"))
    with TestClient(app) as c:
        yield c
