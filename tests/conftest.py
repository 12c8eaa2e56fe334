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
