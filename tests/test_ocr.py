"""Scanned PDFs: pages without a usable text layer are read by Tesseract (Norwegian model) and
parsed like born-digital pages; their rows say so; pages with a good text layer are never OCR'd."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import duckdb
import pypdfium2 as pdfium
import pytest

import scanned
from conftest import RAW, SHARED
from pipeline import extract
from pipeline.builder.run import run as run_build
from pipeline.errors import ExtractError
from pipeline.read import lines, ocr, pdftext
from pipeline.warehouse import connection

REAL = SHARED / "real"


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory) -> dict[str, Path]:
    return scanned.write(tmp_path_factory.mktemp("scanned"))


def _plain(data: object) -> object:
    """The extraction without what differs between a file and its scan: OCR marks, hash and path."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items() if k not in ("ocr", "ocr_confidence", "sha256", "path")}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _extract(path: Path) -> dict:
    ex, _ = extract.run(path)
    return ex.to_dict()


def _rows(data: dict) -> list[dict]:
    return [row for doc in data["documents"] for row in (doc, *doc["attendees"], *doc["cases"])]


def _cer(hyp: str, ref: str) -> float:
    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s).replace("–", "-")).strip()
    a, b = norm(ref), norm(hyp)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1] / len(a)


# --- the decision: is a text layer usable? ----------------------------------------------------------

def _page_texts(pdf: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [" ".join(r.text for r in pdftext.page_runs(doc[i], pdftext.page_objects(doc[i])[0]))
                for i in range(len(doc))]
    finally:
        doc.close()


def test_every_page_of_the_born_digital_pdfs_has_a_usable_text_layer():
    pdfs = sorted(RAW.rglob("*.pdf")) + sorted((REAL / "pdfs").glob("h??.pdf"))
    for pdf in pdfs:
        for n, text in enumerate(_page_texts(pdf), start=1):
            if ocr.measure(text).chars >= ocr.MIN_CHARS:
                assert ocr.text_layer_problem(text) is None, (pdf.name, n, text[:200])


@pytest.mark.parametrize("text", [
    "Referat fra møte i SSU 14.03.2013. Tilstede: Kari Nordmann (Oslo kommune), Per Olsen. Sak 12/13 Vedtak:",
    "Navn Virksomhet Tilstede Forfall Kari Nordmann OUS X Per Olsen HF X Bjørn-Åge Ås-Hansen",
    "Sak 2014/15 kl. 10:00-14:00 Org.nr.: 983 974 910 Postboks 1600, 6026 Ålesund",
    "OVERORDNA SAMHANDLINGSUTVAL MØRE OG ROMSDAL Saksframlegg Orienteringssakar",
])
def test_good_text_layers_are_usable(text):
    assert ocr.text_layer_problem(text) is None


@pytest.mark.parametrize("text,why", [
    ("", "no text"),
    ("  \n ", "no text"),
    (scanned.JUNK * 3, "words"),
    ("\ufffd\ufffd \ufffd\ufffd\ufffd Referat \ufffd\ufffd\ufffd \ufffd\ufffd", "characters"),
    ("(cid:3)(cid:71)(cid:72) (cid:85)(cid:72)(cid:73)(cid:72)(cid:85)(cid:68)(cid:87) møte", "characters"),
    ("\x01\x02\x03 \x04\x05\x06\x07 \x08\x0e\x0f SSU", "characters"),
    ("Rxqzt pqwkst bcdfghj 4l1l 'l'l ;l; xkcd qwrtp zzxq mnbv", "words"),
])
def test_junk_or_missing_text_layers_are_not(text, why):
    problem = ocr.text_layer_problem(text)
    assert problem is not None and why in problem


def test_a_junk_text_layer_is_replaced_by_ocr_and_a_good_one_is_kept(fixtures):
    digital = _extract(fixtures["digital"])
    junk = _extract(fixtures["junk-layer"])
    assert _plain(junk["documents"]) == _plain(digital["documents"])
    assert all(row["provenance"]["ocr"] is True for row in _rows(junk))
    assert any("mostly junk" in w and "read by OCR instead" in w for w in junk["warnings"])
    good = _extract(fixtures["good-layer"])  # a scan with a good invisible text layer (as OCR software makes)
    assert _plain(good["documents"]) == _plain(digital["documents"])
    assert not any("ocr" in row["provenance"] for row in _rows(good))


def test_a_page_without_text_or_images_is_not_read_by_ocr(tmp_path, monkeypatch):
    called = []
    monkeypatch.setattr(ocr, "read_page", lambda *a, **k: called.append(a))
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(scanned.build_pdf([(b"", None)]))
    with pytest.raises(ExtractError, match="no text layer, and no page image"):
        extract.run(blank)
    assert called == []


# --- the scanned fixture ---------------------------------------------------------------------------

def test_the_scanned_fixture_extracts_as_its_born_digital_pdf(fixtures):
    digital = _extract(fixtures["digital"])
    scan = _extract(fixtures["scanned"])
    assert _plain(scan["documents"]) == _plain(digital["documents"])
    assert scan["source"]["ocr_pages"] == 2 and "ocr_pages" not in digital["source"]
    doc = scan["documents"][0]
    assert [c["number"] for c in doc["cases"]] == ["12/13", "13/13", "14/13", "15/13"]
    assert [(a["name"], a["status"]) for a in doc["attendees"]] == [
        ("Kari Nordmann", "present"), ("Per Olsen", "absent"), ("Anne Berg", "present"), ("Jon Dahl", "present")]
    for row in _rows(scan):
        assert row["provenance"]["ocr"] is True
        assert 80 <= row["provenance"]["ocr_confidence"] <= 100
    assert not scan["warnings"]


def test_ocr_text_of_the_fixture_has_a_low_character_error_rate(fixtures):
    pages = lines.pdf_pages(str(fixtures["scanned"]))
    text = "\n".join(ln.text for p in pages for ln in p.lines)
    assert _cer(text, scanned.text()) < 0.01
    assert all(p.ocr_confidence is not None and p.ocr_confidence > 80 for p in pages)


def test_ocr_words_become_lines_with_positions(fixtures):
    page = lines.pdf_pages(str(fixtures["scanned"]))[0]
    table = [ln for ln in page.lines if ln.row is not None]
    assert {ln.text for ln in table if ln.col == 0} >= {"Kari Nordmann", "Per Olsen", "Anne Berg", "Jon Dahl"}
    marks = [ln for ln in table if ln.text == "X"]
    assert len(marks) == 4 and sorted({ln.col for ln in marks}) == [2, 3]
    assert all(ln.top is not None and 0 < ln.top < 842 for ln in page.lines)
    assert page.furniture == ("Side 1 av 2",)
    assert [ln.bold for ln in page.lines if ln.text.startswith("Sak 12/13")] == [True]
    assert not any(ln.bold for ln in page.lines if ln.text.startswith("Innkalling og saksliste ble"))


def test_a_mixed_pdf_reads_only_its_scanned_pages_by_ocr(fixtures, monkeypatch):
    read = []
    real = ocr.read_page
    monkeypatch.setattr(ocr, "read_page", lambda page, s=ocr.DEFAULT: read.append(1) or real(page, s))
    mixed = _extract(fixtures["mixed"])
    assert len(read) == 1
    assert _plain(mixed["documents"]) == _plain(_extract(fixtures["digital"])["documents"])
    for row in _rows(mixed)[1:]:
        page = row["provenance"]["page"]
        assert row["provenance"].get("ocr", False) is (page == 2), row
    doc = mixed["documents"][0]["provenance"]
    assert doc["ocr"] is True and doc["page_start"] == 1 and doc["page_end"] == 2


def test_deskew_finds_the_angle_a_page_was_turned_by():
    from PIL import Image
    doc = pdfium.PdfDocument(scanned.digital_pdf())
    image = doc[0].render(scale=300 / 72, grayscale=True).to_pil().convert("L")
    import numpy as np
    for angle in (0.8, -0.6, 1.7):
        turned = np.asarray(image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255))
        assert ocr.skew_angle(turned, 300) == pytest.approx(-angle, abs=0.1)
        straight, by = ocr.prepare(turned, ocr.Settings())
        assert abs(ocr.skew_angle(np.asarray(straight), 300)) <= 0.1


def test_low_confidence_pages_produce_a_warning(fixtures, monkeypatch):
    monkeypatch.setattr(ocr, "LOW_CONFIDENCE", 101.0)
    warnings = _extract(fixtures["scanned"])["warnings"]
    assert [w.split(":")[0] for w in warnings] == ["page 1", "page 2"]
    assert all("low confidence" in w for w in warnings)


# --- without the Norwegian model -------------------------------------------------------------------

def test_without_the_norwegian_model_scanned_files_fail_naming_the_package(fixtures, tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "tessdata", lambda: None)
    ocr._api.cache_clear()
    try:
        with pytest.raises(ExtractError, match="tesseract-ocr-nor"):
            extract.run(fixtures["scanned"])
        assert _extract(fixtures["digital"])["documents"]  # born-digital files still read
        raw = tmp_path / "raw" / "testby"
        raw.mkdir(parents=True)
        shutil.copy(fixtures["scanned"], raw / "skannet.pdf")
        shutil.copy(fixtures["digital"], raw / "digital.pdf")
        summary = run_build(raw.parent, tmp_path / "m.duckdb", tmp_path / "extracted", jobs=0)
        assert [f["path"] for f in summary.failures] == [str(raw / "skannet.pdf")]
        assert "apt-get install tesseract-ocr-nor" in summary.failures[0]["reason"]
        assert summary.parsed == 1
    finally:
        ocr._api.cache_clear()


# --- in a build --------------------------------------------------------------------------------------

def test_a_build_ocrs_in_the_workers_reports_pages_marks_rows_and_never_ocrs_twice(fixtures, tmp_path):
    raw = tmp_path / "raw" / "testby"
    raw.mkdir(parents=True)
    shutil.copy(fixtures["scanned"], raw / "skannet.pdf")
    shutil.copy(fixtures["mixed"], raw / "blandet.pdf")
    shutil.copy(RAW / "oslo" / "ssu-2025-03-07-referat.pdf", raw / "digital.pdf")
    db = tmp_path / "m.duckdb"
    pages: list[tuple[str, int, int]] = []
    summary = run_build(raw.parent, db, tmp_path / "extracted", jobs=2, on_page=lambda *a: pages.append(a))
    assert summary.failed == 0, summary.failures
    assert sorted(pages) == [(str(raw / "blandet.pdf"), 2, 2), (str(raw / "skannet.pdf"), 1, 2),
                             (str(raw / "skannet.pdf"), 2, 2)]
    con = connection.connect(str(db), read_only=True)
    try:
        files = dict(con.execute("SELECT regexp_extract(path, '[^/]+$'), ocr_pages FROM source_files").fetchall())
        assert files == {"skannet.pdf": 2, "blandet.pdf": 1, "digital.pdf": 0}
        # each file's copy: every row from a page read by OCR says so, with its confidence
        by_file = con.execute(
            "SELECT regexp_extract(s.path, '[^/]+$') AS f, c.page, bool_and(c.ocr), min(c.ocr_confidence), count(*) "
            "FROM copy_cases c JOIN source_files s USING (sha256) GROUP BY ALL ORDER BY ALL").fetchall()
        assert {f for f, *_ in by_file} == set(files)
        for f, page, is_ocr, conf, _ in by_file:
            expected = f == "skannet.pdf" or (f == "blandet.pdf" and page == 2)
            assert is_ocr is expected and (conf is not None) is expected and (conf is None or 80 <= conf <= 100)
        assert con.execute("SELECT count(*), bool_and(ocr), min(ocr_confidence) >= 80 FROM copy_cases c "
                           "JOIN source_files s USING (sha256) WHERE s.path LIKE '%skannet.pdf' "
                           "AND c.decision IS NOT NULL").fetchone()[1:] == (True, True)
        assert con.execute("SELECT count(*), bool_and(ocr), min(ocr_confidence) >= 80 FROM copy_attendees a "
                           "JOIN source_files s USING (sha256) WHERE s.path LIKE '%skannet.pdf'").fetchone() == (
            4, True, True)
        # the scan and the mixed file are one document, read from the mixed file (its first page has
        # a text layer): each logical row says OCR exactly where its copy's row does
        assert _logical_ocr(con) == {
            "documents": {("blandet.pdf", None): (True, True), ("digital.pdf", None): (False, False)},
            "cases": {("blandet.pdf", 1): (False, False), ("blandet.pdf", 2): (True, True),
                      ("digital.pdf", None): (False, False)},
            "decisions": {("blandet.pdf", 1): (False, False), ("blandet.pdf", 2): (True, True),
                          ("digital.pdf", None): (False, False)},
            "attendees": {("blandet.pdf", 1): (False, False), ("digital.pdf", None): (False, False)}}
        assert con.execute("SELECT count(*) FILTER (WHERE k.ocr IS DISTINCT FROM c.ocr "
                           "OR k.ocr_confidence IS DISTINCT FROM c.ocr_confidence), count(*) FROM cases c "
                           "JOIN case_sources s ON s.case_id = c.case_id AND s.rank = 1 "
                           "JOIN copy_cases k USING (copy_case_id)").fetchone() == (0, 15)
    finally:
        con.close()
    pages.clear()
    again = run_build(raw.parent, db, tmp_path / "extracted", jobs=2, on_page=lambda *a: pages.append(a))
    assert again.parsed == 0 and again.skipped == 3 and pages == []
    (raw / "blandet.pdf").unlink()  # the scan is now the only copy: every row of its document is read by OCR
    run_build(raw.parent, db, tmp_path / "extracted", prune=True, jobs=2, on_page=lambda *a: pages.append(a))
    assert pages == []
    con = connection.connect(str(db), read_only=True)
    try:
        assert _logical_ocr(con) == {table: {("skannet.pdf", None): (True, True), ("digital.pdf", None): (False, False)}
                                     for table in ("documents", "cases", "decisions", "attendees")}
        assert con.execute("SELECT count(*) FROM attendees WHERE source_path LIKE '%skannet.pdf'").fetchone() == (4,)
    finally:
        con.close()


def _logical_ocr(con: duckdb.DuckDBPyConnection) -> dict[str, dict[tuple[str, int | None], tuple[bool, bool]]]:
    """Per logical table: (file read from, page where a file's pages differ) -> (ocr, a confidence
    of 80-100 given), every row of each key the same."""
    out: dict[str, dict[tuple[str, int | None], tuple[bool, bool]]] = {}
    for table, page in (("documents", "NULL"), ("cases", "page"), ("decisions", "page"), ("attendees", "page")):
        rows = con.execute(f"SELECT regexp_extract(source_path, '[^/]+$'), {page}, ocr, ocr_confidence "
                           f"FROM {table}").fetchall()
        found: dict[tuple[str, int | None], set[tuple[bool, bool]]] = {}
        for f, p, is_ocr, conf in rows:
            assert conf is None or 80 <= conf <= 100
            found.setdefault((f, p if f == "blandet.pdf" else None), set()).add((is_ocr, conf is not None))
        assert all(len(v) == 1 for v in found.values()), (table, found)
        out[table] = {k: v.pop() for k, v in found.items()}
    return out


def test_a_warehouse_from_the_stage_files_keeps_the_ocr_marks_without_ocr_again(fixtures, tmp_path, monkeypatch):
    raw = tmp_path / "raw" / "testby"
    raw.mkdir(parents=True)
    shutil.copy(fixtures["mixed"], raw / "blandet.pdf")
    run_build(raw.parent, tmp_path / "a.duckdb", tmp_path / "extracted", jobs=0)
    monkeypatch.setattr(ocr, "read_page", lambda *a, **k: pytest.fail("a page was read by OCR again"))
    again = run_build(raw.parent, tmp_path / "b.duckdb", tmp_path / "extracted", jobs=0, from_extracted=True)
    assert again.failed == 0
    query = ("SELECT s.ocr_pages, c.number, c.ocr, c.ocr_confidence FROM cases c JOIN source_files s USING (sha256) "
             "ORDER BY ALL")
    rows = [connection.connect(str(tmp_path / db), read_only=True).execute(query).fetchall()
            for db in ("a.duckdb", "b.duckdb")]
    assert rows[0] == rows[1] and {r[0] for r in rows[0]} == {1} and {r[2] for r in rows[0]} == {False, True}


def test_build_progress_lines_name_each_ocr_page(fixtures, tmp_path):
    raw = tmp_path / "raw" / "testby"
    raw.mkdir(parents=True)
    shutil.copy(fixtures["scanned"], raw / "skannet.pdf")
    r = subprocess.run([sys.executable, "-m", "pipeline", "build", "--raw", str(raw.parent), "--db",
                        str(tmp_path / "m.duckdb"), "--extracted", str(tmp_path / "x"), "--jobs", "1"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "OCR skannet.pdf: page 1/2" in r.stderr and "OCR skannet.pdf: page 2/2" in r.stderr


# --- the three scanned PDFs of shared/real --------------------------------------------------------

SCANNED = ("h05", "h14", "h15")
needs_real = pytest.mark.skipif(not (REAL / "pdfs" / "h05.scanned.pdf").is_file(),
                                reason="shared/real (the scanned PDFs and their gold) is not beside this checkout")


def _score(gold: Path, pred: Path) -> float:
    out = subprocess.run([sys.executable, str(SHARED / "tools" / "score_extraction.py"), str(gold), str(pred),
                          "--json"], capture_output=True, text=True, check=True)
    return float(json.loads(out.stdout)["score"])


@needs_real
@pytest.mark.parametrize("doc_id", SCANNED)
def test_scanned_real_pdfs_score_at_least_nine_tenths_of_their_born_digital_copies(doc_id, tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    shutil.copy(REAL / "gold" / f"{doc_id}.json", gold)
    scores = {}
    for kind, name in (("digital", f"{doc_id}.pdf"), ("scanned", f"{doc_id}.scanned.pdf")):
        pred = tmp_path / kind
        pred.mkdir()
        data = _extract(REAL / "pdfs" / name)
        (pred / f"{doc_id}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        scores[kind] = _score(gold, pred)
        if kind == "scanned":
            assert all(row["provenance"].get("ocr") is True for row in _rows(data))
    assert scores["scanned"] >= 0.9 * scores["digital"], scores


@needs_real
@pytest.mark.parametrize("doc_id", SCANNED)
def test_scanned_real_pdfs_read_with_a_low_character_error_rate(doc_id):
    text = "\n".join(ln.text for p in lines.pdf_pages(str(REAL / "pdfs" / f"{doc_id}.scanned.pdf")) for ln in p.lines)
    reference = re.sub(r"(?m)^\d{1,2}(?: |$)", "", (REAL / "docs" / f"{doc_id}.txt").read_text("utf-8"))
    assert _cer(text, reference) < 0.02
