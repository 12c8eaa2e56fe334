"""OCR of scanned PDFs: how the rasterisation and preprocessing settings measure, how the scanned
PDFs score against their born-digital copies, and how fast and big a build that OCRs is.

    python benchmarks/bench_ocr.py settings   # character error rate per setting (the grid below)
    python benchmarks/bench_ocr.py scores     # extraction scores, OCR vs born-digital, and CER
    python benchmarks/bench_ocr.py speed      # OCR pages/s of `minutes build` on 2 workers, peak memory

Needs ../shared/real (the scanned PDFs h05, h14, h15, their born-digital PDFs, texts and gold)."""
from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REAL = ROOT.parent / "shared" / "real"
SCORER = ROOT.parent / "shared" / "tools" / "score_extraction.py"
IDS = ("h05", "h14", "h15")


def normalise(text: str) -> str:
    """NFC, dashes and quotes folded, whitespace collapsed: what CER is measured on."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(str.maketrans({"–": "-", "—": "-", "“": '"', "”": '"', "’": "'", "‘": "'", "«": '"',
                                         "»": '"', "\u00a0": " "}))
    return re.sub(r"\s+", " ", text).strip()


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1]


def cer(hyp: str, ref: str) -> float:
    """Character error rate: edits from the reference to the hypothesis over the reference's length."""
    h, r = normalise(hyp), normalise(ref)
    return edit_distance(r, h) / max(1, len(r))


def reference(doc_id: str) -> str:
    """The text version, without the docplayer page markers ("1 ", "2 " at a page's start), which
    the renderings print too but which the reading sets aside as page numbers."""
    text = (REAL / "docs" / f"{doc_id}.txt").read_text("utf-8")
    return re.sub(r"(?m)^\d{1,2}(?: |$)", "", text)


def page_text(path: Path, settings=None) -> tuple[str, list[float]]:
    """The body text of a PDF's pages as the pipeline reads them (running furniture set aside), and
    the OCR'd pages' confidences."""
    from pipeline.read import lines, ocr
    scans = lines.Scans(settings or ocr.DEFAULT)
    pages = lines.pdf_pages(str(path), scans=scans)
    return "\n".join(ln.text for p in pages for ln in p.lines), list(scans.confidence.values())


def cmd_settings(args: argparse.Namespace) -> None:
    """CER per setting on the three scanned PDFs and on the tests' own scans (tests/scanned.py),
    whose text is known exactly: the fixture (skewed 0.8°) and a harder copy (skewed 1.6°, more
    blur, noise and specks, JPEG 50)."""
    from pipeline.read import ocr
    sys.path.insert(0, str(ROOT / "tests"))
    import scanned

    folder = Path(tempfile.mkdtemp(prefix="ocr-fixture-"))
    (folder / "referat.pdf").write_bytes(scanned.scanned_pdf())
    (folder / "hard.pdf").write_bytes(scanned.scanned_pdf(hard=True))
    inputs = {**{i: (REAL / "pdfs" / f"{i}.scanned.pdf", reference(i)) for i in IDS},
              "fixture": (folder / "referat.pdf", scanned.text()),
              "fixture hard": (folder / "hard.pdf", scanned.text())}
    grid = [ocr.Settings(dpi, deskew, threshold, median) for dpi, deskew, threshold, median
            in itertools.product(args.dpi, (False, True), args.threshold, (False, True))]
    print("| dpi | deskew | binarisation | median 3x3 | " + " | ".join(f"CER {i}" for i in inputs)
          + " | CER h05+h14+h15 | mean confidence | s/page |")
    print("|---|---|---|---|" + "---|" * (len(inputs) + 3))
    for s in grid:
        ocr._api.cache_clear()
        errors = chars = pages = 0
        confs: list[float] = []
        per = []
        t = time.perf_counter()
        for i, (path, ref) in inputs.items():
            text, c = page_text(path, s)
            pages += len(c)
            r = normalise(ref)
            e = edit_distance(r, normalise(text))
            per.append(e / len(r))
            if i in IDS:
                errors, chars = errors + e, chars + len(r)
                confs += [x for x in c if x > 0]
        secs = (time.perf_counter() - t) / pages
        print(f"| {s.dpi} | {'yes' if s.deskew else 'no'} | {('Otsu', 'Leptonica Otsu', 'Sauvola')[s.threshold]} | "
              f"{'yes' if s.median else 'no'} | " + " | ".join(f"{x:.4f}" for x in per)
              + f" | {errors / chars:.4f} | {sum(confs) / len(confs):.1f} | {secs:.2f} |", flush=True)


def cmd_scores(args: argparse.Namespace) -> None:
    out = Path(tempfile.mkdtemp(prefix="ocr-scores-"))
    gold = out / "gold"
    gold.mkdir()
    for i in IDS:
        shutil.copy(REAL / "gold" / f"{i}.json", gold)
    results = {}
    for kind, name in (("born-digital", "{}.pdf"), ("ocr", "{}.scanned.pdf")):
        pred = out / kind
        pred.mkdir()
        for i in IDS:
            src = REAL / "pdfs" / name.format(i)
            data = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(src), "--json"], check=True,
                                  capture_output=True, cwd=ROOT).stdout
            (pred / f"{i}.json").write_bytes(data)
        per_file = {}
        for i in IDS:
            one = out / f"gold-{i}"
            one.mkdir(exist_ok=True)
            shutil.copy(REAL / "gold" / f"{i}.json", one)
            per_file[i] = _score(one, pred)
        results[kind] = {"all": _score(gold, pred), **per_file}
    fields = list(results["born-digital"]["all"])
    print("| file | input | " + " | ".join(fields) + " |")
    print("|---|---|" + "---|" * len(fields))
    for i in (*IDS, "all"):
        for kind in ("born-digital", "ocr"):
            print(f"| {i} | {kind} | " + " | ".join(_fmt(results[kind][i].get(f)) for f in fields) + " |")
    print()
    print("| file | CER OCR | CER born-digital | OCR mean confidence |")
    print("|---|---|---|---|")
    for i in IDS:
        ocr_text, confs = page_text(REAL / "pdfs" / f"{i}.scanned.pdf")
        confs = [c for c in confs if c > 0]  # pages where OCR found no word (h05's near-empty pages 3 and 4)
        digital_text, _ = page_text(REAL / "pdfs" / f"{i}.pdf")
        ref = reference(i)
        print(f"| {i} | {cer(ocr_text, ref):.3f} | {cer(digital_text, ref):.3f} | {sum(confs) / len(confs):.1f} |")


FIELDS = ("score", "documents_f1", "case_f1", "case_title_f1", "decision_f1", "attendee_f1", "attendee_status_acc",
          "meeting_date_acc", "doc_type_acc", "body_acc", "chair_acc", "decision_label_acc")


def _score(gold: Path, pred: Path) -> dict[str, float | None]:
    res = subprocess.run([sys.executable, str(SCORER), str(gold), str(pred), "--json"], check=True,
                         capture_output=True, text=True).stdout
    data = json.loads(res)
    return {k: data.get(k) for k in FIELDS}


def _fmt(v: object) -> str:
    return "–" if v is None or (isinstance(v, float) and v != v) else f"{v:.3f}" if isinstance(v, float) else str(v)


def make_scanned_corpus(target: Path, copies: int) -> tuple[int, int]:
    """`copies` copies of the three scanned PDFs and of the tests' scanned fixture, each with a
    distinct trailing comment (so no copy is skipped as a duplicate); (files, pages)."""
    import pypdfium2 as pdfium
    sys.path.insert(0, str(ROOT / "tests"))
    import scanned

    seeds = {f"{i}.scanned.pdf": (REAL / "pdfs" / f"{i}.scanned.pdf").read_bytes() for i in IDS}
    seeds["referat.scanned.pdf"] = scanned.scanned_pdf()
    counts = {name: len(pdfium.PdfDocument(data)) for name, data in seeds.items()}
    files = pages = 0
    for k in range(copies):
        folder = target / f"arkiv{k:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (folder / name.replace(".pdf", f"-kopi{k:02d}.pdf")).write_bytes(data + f"\n% kopi {k}\n".encode())
            files += 1
            pages += counts[name]
    return files, pages


def stage_times(pages: int = 9) -> dict[str, float]:
    """Seconds per page of each OCR step, in this process, over the three scanned PDFs."""
    import pypdfium2 as pdfium

    from pipeline.read import lines, ocr
    settings = ocr.DEFAULT
    ocr._api(settings.threshold)  # loaded once per worker: not a per-page cost
    times = {"rasterise": 0.0, "deskew and median filter": 0.0, "recognise and words": 0.0, "layout and lines": 0.0}
    n = 0
    for i in IDS:
        pdf = pdfium.PdfDocument(str(REAL / "pdfs" / f"{i}.scanned.pdf"))
        for k in range(len(pdf)):
            page = pdf[k]
            t0 = time.perf_counter()
            grey = ocr.rasterise(page, settings.dpi)
            t1 = time.perf_counter()
            ocr.prepare(grey, settings)
            t2 = time.perf_counter()
            ocr.read_page(page, settings)
            t3 = time.perf_counter()
            times["rasterise"] += t1 - t0
            times["deskew and median filter"] += t2 - t1
            times["recognise and words"] += (t3 - t2) - (t2 - t0)  # read_page draws and deskews again
            n += 1
        pdf.close()
    t = time.perf_counter()
    for i in IDS:
        lines.pdf_pages(str(REAL / "pdfs" / f"{i}.scanned.pdf"))
    whole = (time.perf_counter() - t) / n
    times["layout and lines"] = whole - sum(v / n for k, v in times.items() if k != "layout and lines")
    return {k: (v / n if k != "layout and lines" else v) for k, v in times.items()} | {"whole page": whole}


def cmd_speed(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_build import fresh, run_build, write_section

    from pipeline.read import ocr
    work = Path(tempfile.mkdtemp(prefix="minutes-ocr-bench-"))
    try:
        raw = work / "raw"
        files, pages = make_scanned_corpus(raw, args.copies)
        db = work / "m.duckdb"
        runs = []
        for _ in range(max(1, args.repeat)):
            fresh(db)
            runs.append(run_build(raw, db, ["--jobs", "2"]))
        s, wall, peak = sorted(runs, key=lambda r: r[1])[len(runs) // 2]
        walls = sorted(r[1] for r in runs)
        noop, noop_wall, _ = run_build(raw, db, ["--jobs", "2"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    steps = stage_times()
    ocr_secs = s["stage_seconds"].get("extract_text", 0.0)
    settings = ocr.DEFAULT
    line = (f"| OCR build, 2 workers | {files} scanned PDFs, {pages} pages ({settings.dpi} dpi, "
            f"{'deskew, ' if settings.deskew else ''}{('Otsu', 'Leptonica Otsu', 'Sauvola')[settings.threshold]}"
            f"{', median 3x3' if settings.median else ''}): median of {len(runs)} builds {wall:.1f} s = "
            f"**{s['pages'] / wall:.2f} pages/s** ({', '.join(f'{w:.1f}' for w in walls)} s); processor time "
            f"{s['cpu_seconds']:.1f} s = {s['cpu_seconds'] / s['pages']:.2f} s per page (reading in the workers "
            f"{ocr_secs:.1f} s); peak memory, build + workers, **{peak:.0f} MiB**; {s['failed']} failed; "
            f"no-op re-run {noop_wall:.2f} s, {noop['parsed']} parsed |")
    step_line = ("| OCR steps per page, one process | " + ", ".join(f"{k} {v:.3f} s" for k, v in steps.items())
                 + " |")
    print(line)
    print(step_line)
    load = os.getloadavg()[1]
    section = ("## OCR of scanned PDFs (`python benchmarks/bench_ocr.py speed`)\n\n"
               f"Load average over the run's last 5 minutes: {load:.1f} on {os.cpu_count()} cores (above 2, other jobs "
               "shared the cores and the wall-clock rate is a floor; the processor time per page is the steadier "
               "figure).\n\n| measure | result |\n|---|---|\n" + line + "\n" + step_line + "\n")
    write_section("## OCR of scanned PDFs", section)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("settings")
    s.add_argument("--dpi", type=int, nargs="+", default=[200, 300, 400])
    s.add_argument("--threshold", type=int, nargs="+", default=[0, 2], help="0 Otsu, 1 Leptonica Otsu, 2 Sauvola")
    sub.add_parser("scores")
    sp = sub.add_parser("speed")
    sp.add_argument("--copies", type=int, default=6, help="Copies of the scanned PDFs (9 pages each).")
    sp.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    {"settings": cmd_settings, "scores": cmd_scores, "speed": cmd_speed}[args.cmd](args)


if __name__ == "__main__":
    main()
