"""The build process's per-file derivation done faster gives what the plain way gives: references
found only in texts that can hold one, topic phrases found through list searches, outcomes from
casefolded phrases, Arrow tables built column by column, and the facts of a case worked out once
for all its copies."""
from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from pipeline import derive, extract, facts, nlp, vocab
from pipeline.warehouse import arrow, load

RAW = Path(__file__).resolve().parents[1] / "raw"


def _cases():
    for path in sorted(RAW.rglob("*.txt")):
        ex, _ = extract.run(path, RAW)
        yield from (c for d in ex.documents for c in d.cases)


def _plain_references(*texts):
    """Every text scanned by both patterns, whatever it holds."""
    meeting, case = facts._patterns()
    out = []
    for text in (t for t in texts if t):
        out += [(m.group(0), m.group("body").upper(), facts.parse_date(m.group("date")), None)
                for m in meeting.finditer(text)]
        out += [(m.group(0), m.group("body").upper() if m.group("body") else None, None,
                 facts.case_key(m.group("num").rstrip("."))) for m in case.finditer(text)]
    return list(dict.fromkeys(out))


WRITTEN = ["Referat fra SSU 05.12.24 godkjent", "jf. ref. sak SSU 2023.37 og sak 12/24", "REF.  SAK NR. FSU 2024.3",
           "ſak 14/24 (long s)", "ProtoKoll fra møte i FSU den 1.2.2024 (Kelvin sign)", "Møtereferater fra AU 3.4.23",
           "Referat fra møte ı SSU 5.12.24 (dotless i)", "Protokoll fra møte İ FSU den 1.2.2024",
           "Straße sak 7/25", "referat\u00a0fra\tSSU\n05.12.2024", "sak\u2003nr.\u2003SSU\u20032023.37",
           "ref.\n\nsak 3/24", "SAK ١٢/٢٤ (Arabic-Indic digits)",
           "xsak 12/24 is no reference", "sakens 12/24", "Protokollene fra FSU 1.2.2024", ""]
FOUND = 13  # the first of WRITTEN hold a reference, the rest none


@pytest.mark.parametrize("text", WRITTEN)
def test_references_of_written_texts_as_the_patterns_alone_find(text):
    assert facts.references(text, None, text.upper()) == _plain_references(text, None, text.upper())
    assert bool(facts.references(text)) == (WRITTEN.index(text) < FOUND)


def test_references_of_the_bundled_cases_as_the_patterns_alone_find():
    found = 0
    for case in _cases():
        refs = facts.references(case.title, case.text, case.decision)
        assert refs == _plain_references(case.title, case.text, case.decision)
        found += len(refs)
    assert found  # the bundled cases do refer to meetings and cases
    assert facts.references(*WRITTEN[:6]) == _plain_references(*WRITTEN[:6]) != []


def _plain_labels(phrases: nlp.Phrases, text: list[str]) -> Counter[str]:
    """Each place, each phrase starting there."""
    return Counter(label for i, s in enumerate(text) for rest, label in phrases.by_first.get(s, [])
                   if tuple(text[i + 1:i + 1 + len(rest)]) == rest)


def test_phrases_found_as_a_walk_over_every_place_finds_them():
    m = nlp.matchers()
    seen = 0
    for case in _cases():
        for part in (case.title, case.text, case.decision):
            stems = nlp.terms(part)
            for phrases in (m.topics, m.orgs):
                got = Counter(phrases.labels_in(stems))
                assert got == _plain_labels(phrases, stems)
                seen += sum(got.values())
    assert seen


def test_outcome_from_folded_phrases_as_from_each_phrase_folded():
    for case in _cases():
        text = " ".join(case.decision.casefold().split()) if case.decision else ""
        plain = next((cls for cls, ps in vocab.taxonomy().outcomes.items() if any(p.casefold() in text for p in ps)),
                     "other") if case.decision else None
        assert nlp.outcome(case.decision) == plain


def test_every_frame_names_columns_of_its_table_with_types_they_cast_to(tmp_path):
    """frames' tables, column by column, are what the warehouse's tables hold; a file's rows
    load and read back as derived."""
    ex, _ = extract.run(RAW / "oslo" / "ssu-2025-03-07-referat.pdf", RAW)
    data = arrow.tables([derive.frames(ex)])
    con = load.connect(tmp_path / "w.duckdb")
    try:
        for table, rows in data.items():
            columns = {name for (name,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}
            assert set(rows.column_names) <= columns, table
        load.run_many(con, [(ex, None, derive.frames(ex))])
        for table, rows in data.items():
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == rows.num_rows, table
        cases = data["copy_cases"].to_pylist()
        assert cases and all(isinstance(c["topics"], list) for c in cases) and any(c["topics"] for c in cases)
        stored = con.execute("SELECT copy_case_id, n_terms, topics FROM copy_cases ORDER BY copy_case_id").fetchall()
        assert stored == sorted((c["copy_case_id"], c["n_terms"], c["topics"]) for c in cases)
        tf = con.execute("SELECT sum(tf) FROM search_terms").fetchone()[0]
        assert tf == sum(c["n_terms"] for c in cases) > 0
    finally:
        con.close()


def test_the_tables_of_several_files_hold_each_files_rows_in_turn():
    """One conversion for a batch of files gives what each file's own conversion gives, in order."""
    files = [extract.run(path, RAW)[0] for path in sorted(RAW.rglob("*.pdf"))[:3]]
    each = [arrow.tables([derive.frames(ex)]) for ex in files]
    joint = arrow.tables([derive.frames(ex) for ex in files])
    assert set(joint) == {t for one in each for t in one}
    for table, rows in joint.items():
        parts = [one[table] for one in each if table in one]
        assert rows.drop_columns(["loaded_at"] if table == "source_files" else []).to_pylist() == \
            [r for p in parts for r in p.drop_columns(["loaded_at"] if table == "source_files" else []).to_pylist()]
        assert rows.column(0).num_chunks == 1


def test_a_file_without_rows_for_a_table_gives_it_no_table():
    ex, _ = extract.run(sorted(RAW.rglob("*.txt"))[0], RAW)
    empty = dataclasses.replace(ex, documents=[], warnings=[])
    data = arrow.tables([derive.frames(empty)])
    assert list(data) == ["source_files"] and data["source_files"].num_rows == 1


def test_a_column_of_runs_holds_each_value_its_count_of_times():
    import pyarrow as pa
    first, second = derive.Runs(), derive.Runs(["c"], [2])
    for value, count in (("a", 2), ("none", 0), ("b", 1)):
        first.add(value, count)
    assert list(first) == ["a", "a", "b"] and len(first) == 3 and first[2] == "b"
    joint = arrow._array([first, second], pa.string())
    assert joint.to_pylist() == ["a", "a", "b", "c", "c"] == [*first, *second]
    assert arrow._array([["x"], ["y", None]], pa.string()).to_pylist() == ["x", "y", None]


def test_references_of_texts_made_of_their_pieces_at_random_as_the_patterns_alone_find():
    import random
    pieces = ["Referat", "referater", "PROTOKOLL", "Møtereferat", "ProtoKoll", "fra", "møte", "i", "ı", "İ", "den",
              "SSU", "fsu", "AU", "ſſu", "sak", "SAK", "ſak", "ref.", "Ref", "nr.", "nr", "2023.37", "12/24",
              "05.12.24", "1.2.2024", "١٢/٢٤", "Straße", "x", "-", "."]
    spaces = [" ", "  ", "\n", "\t", "\u00a0", "\u2003", ""]
    rng = random.Random(7)
    found = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice(spaces) for _ in range(rng.randint(1, 9)))
        refs = facts.references(text)
        assert refs == _plain_references(text), text
        found += bool(refs)
    assert found > 50
