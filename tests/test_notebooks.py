"""The notebooks in notebooks/ run top to bottom against a warehouse built from raw/, so they
cannot rot: a query or plot that breaks fails here."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pipeline.warehouse import connection

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert {p.name for p in NOTEBOOKS} >= {"decisions_and_topics.ipynb", "attendance.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_against_the_warehouse(path, built_warehouse, monkeypatch):
    monkeypatch.setenv("MINUTES_DB", str(built_warehouse))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the notebook draws its plots"
    first = next(o for o in outputs if o.output_type == "stream")
    con = connection.connect(str(built_warehouse), read_only=True)
    n = con.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM cases)").fetchone()
    con.close()
    # it read the warehouse it was given, and counts documents, not the files holding copies of them
    assert first.text.startswith(f"{built_warehouse.name}: {n[0]} documents, {n[1]} cases")
    assert not MACHINE_PATH.search(_outputs_text(nb))


MACHINE_PATH = re.compile(r"(?:/tmp/|/home/|/work/|/Users/|/root/|[A-Z]:\\\\)")


def _outputs_text(nb) -> str:
    return "\n".join(json.dumps(o, ensure_ascii=False) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_saved_notebooks_hold_no_machine_paths():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert not MACHINE_PATH.search(_outputs_text(nb)), path.name


def test_notebooks_match_their_source():
    """notebooks/make_notebooks.py holds the cells; the committed notebooks carry the same code."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "notebooks" / "make_notebooks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for name in mod.NOTEBOOKS:
        committed = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        assert [c.source for c in committed.cells] == [c.source for c in mod.build(name).cells], name
