"""`minutes build --from-extracted`: a warehouse rebuilt from the stage files under extracted/
(e.g. after a schema change) equals the one a normal build gives, without reading the files again."""
from __future__ import annotations

from click.testing import CliRunner

from conftest import RAW
from pipeline import extract
from pipeline.builder.run import run as run_build
from pipeline.cli import main
from pipeline.warehouse import connection

TIMES = {"loaded_at", "failed_at"}


def _tables(db) -> dict[str, list[tuple]]:
    con = connection.connect(str(db), read_only=True)
    try:
        out = {}
        for (name,) in con.execute("SELECT table_name FROM information_schema.tables "
                                   "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'").fetchall():
            cols = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                              "ORDER BY ordinal_position", [name]).fetchall() if c not in TIMES]
            out[name] = con.execute(f'SELECT {", ".join(cols)} FROM "{name}" ORDER BY ALL').fetchall()
        return out
    finally:
        con.close()


def test_a_warehouse_from_the_stage_files_equals_a_normal_build(tmp_path, monkeypatch):
    ex = tmp_path / "extracted"
    normal = run_build(RAW, tmp_path / "a.duckdb", ex, jobs=0)

    def no_reading(*args, **kwargs):
        raise AssertionError("a file was read and parsed again")

    monkeypatch.setattr(extract, "run", no_reading)
    r = CliRunner().invoke(main, ["build", "--raw", str(RAW), "--db", str(tmp_path / "b.duckdb"),
                                  "--extracted", str(ex), "--from-extracted", "--jobs", "0"])
    assert r.exit_code == 0, r.output
    assert normal.failed == 0 and normal.parsed == 12
    assert _tables(tmp_path / "b.duckdb") == _tables(tmp_path / "a.duckdb")


def test_files_without_a_stage_file_are_parsed(tmp_path):
    ex = tmp_path / "extracted"
    run_build(RAW, tmp_path / "a.duckdb", ex, jobs=0)
    gone = sorted((ex / "documents").glob("*.json"))[0]
    gone.unlink()
    s = run_build(RAW, tmp_path / "b.duckdb", ex, jobs=2, from_extracted=True)
    assert s.failed == 0 and s.parsed == 12 and gone.exists()  # parsed, its stage file written again
    assert _tables(tmp_path / "b.duckdb") == _tables(tmp_path / "a.duckdb")
