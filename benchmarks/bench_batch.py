"""Benchmark: the run after a meeting, and the memory of a build as the corpus grows.

1. The run after a meeting: a warehouse of --files text files (copies of the bundled text documents,
   as bench_build.py's no-op corpus), then rounds of: one new PDF (a copy of a bundled minutes PDF,
   5 pages, under its own name) built into it, and a no-op build over the same files. Every round
   starts from the same warehouse (copied back before it), so each measures the same build. Each build is
   a whole `minutes build` command, timed from outside (wall clock, start-up and exit included);
   the order of the one-file build and the no-op is rotated per round, and the result is the median
   of the same-round ratios (the machine's speed moves 2-3x under load). With --compare DIR, the
   code of another checkout runs the same builds in the same rounds (its own copy of the warehouse),
   so before and after are measured side by side.
2. Memory: builds from empty over corpora of about --pages pages each (copies of the bundled PDFs,
   made as bench_build.py's make_corpus), with the peak resident memory of the build process and
   its workers together, of the build process alone, and when in the build it peaked.

Prints the tables and writes each into benchmarks/results.md (a section each; a part skipped leaves
its section as it was).

    python benchmarks/bench_batch.py [--files 2000] [--rounds 7] [--pages 550,2000,8000] [--compare DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import RAW, ROOT, build_cmd, make_corpus, make_text_corpus, watched, write_section  # noqa: E402

NEW_FILE = RAW / "oslo" / "ssu-2025-03-07-referat.pdf"
SECTION = "## The run after a meeting (`python benchmarks/bench_batch.py`)"
MEMORY_SECTION = "## Memory of a build from empty (`python benchmarks/bench_batch.py`)"


def build(code: Path, raw: Path, db: Path, sample: bool = False) -> dict:
    """One `minutes build` command of the checkout `code`: its summary, wall seconds and, with
    `sample`, peak memory (MiB) of the build and workers together and of the build alone, and the
    share of the build's wall time at which the build process peaked."""
    cmd = build_cmd(raw, db)
    code_, out, wall, peaks = watched(cmd, code, sample, every=0.02)
    if code_ not in (0, 1):
        raise SystemExit(f"build failed ({code_}): {' '.join(cmd)}")
    return {"summary": json.loads(out), "wall": wall, "tree_mib": peaks["tree"] / 1024,
            "build_mib": peaks["own"] / 1024, "peak_at": peaks["at"] / wall if wall else 0.0}


PACE = "import time; t = time.process_time(); sum(range(20_000_000)); print(time.process_time() - t)"


def pace() -> float:
    """The machine's pace: processor seconds a fixed piece of Python takes in a fresh process (0.2-0.4 s
    on this machine; its speed moves from day to day, so absolute times are read against this)."""
    out = subprocess.run([sys.executable, "-c", PACE], capture_output=True, text=True, check=True).stdout
    return float(out)


def _noops(codes: dict[str, Path], order: list[str], raw: Path, dbs: dict[str, Path]) -> dict[str, float]:
    return {label: build(codes[label], raw, dbs[label])["wall"] for label in order}


def _ones(codes: dict[str, Path], order: list[str], raw: Path, dbs: dict[str, Path], new: Path,
          r: int) -> dict[str, dict]:
    new.write_bytes(NEW_FILE.read_bytes() + f"\n% ny {r}\n".encode())
    return {label: build(codes[label], raw, dbs[label]) for label in order}


def _keep(db: Path, pristine: Path) -> set[Path]:
    """The warehouse's database and hash cache copied to `pristine`; its stage files, listed."""
    pristine.mkdir()
    for name in (db.name, db.name + ".hashes"):
        shutil.copy2(db.parent / name, pristine / name)
    return {p for p in (db.parent / "extracted").rglob("*") if p.is_file()}


def _restore(db: Path, pristine: Path, stage_files: set[Path]) -> None:
    """The warehouse as `_keep` kept it: its database and hash cache copied back from `pristine`,
    the stage files written since (not in `stage_files`) removed."""
    for name in (db.name, db.name + ".hashes"):
        shutil.copy2(pristine / name, db.parent / name)
    db.with_name(db.name + ".wal").unlink(missing_ok=True)
    for p in (db.parent / "extracted").rglob("*"):
        if p.is_file() and p not in stage_files:
            p.unlink()


def after_a_meeting(work: Path, codes: dict[str, Path], files: int, rounds: int) -> dict[str, dict]:
    raw = work / "raw"
    make_text_corpus(raw, files)
    first_db = work / "first" / "m.duckdb"
    first = build(next(iter(codes.values())), raw, first_db)
    dbs = {}
    for label, code in codes.items():
        dbs[label] = work / label / "m.duckdb"
        shutil.copytree(first_db.parent, dbs[label].parent)
        build(code, raw, dbs[label])  # a no-op: what a build remembers between runs is written
    # every round starts from this warehouse: each measures the same one new file into the same
    # 2,000 files (a copy of minutes whose meeting day holds 20 copies already), not one more copy
    # into a day that grows by a copy per round
    pristine = {label: work / f"{label}-pristine" for label in codes}
    stage_files = {label: _keep(dbs[label], pristine[label]) for label in codes}
    runs: dict[str, dict[str, list]] = {label: {"one": [], "noop": [], "ratio": [], "inside": []} for label in codes}
    paces = []
    for r in range(rounds):
        paces.append(pace())
        order = list(codes) if r % 2 == 0 else list(reversed(codes))
        for label in codes:
            _restore(dbs[label], pristine[label], stage_files[label])
        new = raw / "partnerskap000" / "ny-referat.pdf"

        if r % 4 < 2:
            noop = _noops(codes, order, raw, dbs)
            one = _ones(codes, order, raw, dbs, new, r)
        else:
            one = _ones(codes, order, raw, dbs, new, r)
            noop = _noops(codes, order, raw, dbs)
        new.unlink()
        for label in codes:
            assert one[label]["summary"]["parsed"] == 1, one[label]["summary"]
            runs[label]["one"].append(one[label]["wall"])
            runs[label]["noop"].append(noop[label])
            runs[label]["ratio"].append(one[label]["wall"] / noop[label])
            runs[label]["inside"].append(one[label]["summary"]["stage_seconds"])
        print(f"round {r + 1}: " + "; ".join(f"{label} one {one[label]['wall']:.2f} s, no-op {noop[label]:.2f} s"
                                              for label in order), flush=True)
    out = {}
    for label, v in runs.items():
        stages: dict[str, list[float]] = {}
        for st in v["inside"]:
            for k, secs in st.items():
                stages.setdefault(k, []).append(secs)
        out[label] = {"one": statistics.median(v["one"]), "noop": statistics.median(v["noop"]),
                      "ratio": statistics.median(v["ratio"]), "one_range": (min(v["one"]), max(v["one"])),
                      "stages": {k: statistics.median(x) for k, x in sorted(stages.items())},
                      "first_build": first["wall"], "pace": statistics.median(paces)}
    if len(codes) == 2:
        a, b = list(codes)
        out["versus"] = {"ratio": statistics.median(x / y for x, y in zip(runs[b]["one"], runs[a]["one"])),
                         "labels": (b, a)}
    return out


def memory(work: Path, codes: dict[str, Path], page_targets: list[int]) -> list[dict]:
    rows = []
    for target in page_targets:
        raw = work / f"raw{target}"
        files, pages = make_corpus(raw, target)
        for label, code in codes.items():
            db = work / f"{label}{target}" / "m.duckdb"
            r = build(code, raw, db, sample=True)
            rows.append({"label": label, "files": len(files), "pages": pages, **{k: r[k] for k in
                         ("wall", "tree_mib", "build_mib", "peak_at")}, "failed": r["summary"]["failed"]})
            print(f"{label} {pages} pages: {r['tree_mib']:.0f} MiB build + workers, {r['build_mib']:.0f} MiB build "
                  f"(peak at {100 * r['peak_at']:.0f}% of {r['wall']:.1f} s)", flush=True)
            shutil.rmtree(db.parent, ignore_errors=True)
        shutil.rmtree(raw, ignore_errors=True)
    return rows


def _load() -> str:
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[2]
    except OSError:
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--pages", default="550,2000,8000", help="Corpus sizes for the memory builds, in pages.")
    ap.add_argument("--compare", type=Path, help="Another checkout (e.g. the main branch) measured in the same rounds.")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-meeting", action="store_true", help="Only the memory builds.")
    ap.add_argument("--bytecode", action="store_true",
                    help="Let the builds keep Python's compiled modules (in a cache of this run, one per checkout), "
                         "as an installed package has them; without it the environment decides "
                         "(PYTHONDONTWRITEBYTECODE=1 makes every command compile the pipeline's modules again).")
    args = ap.parse_args()
    codes = {"this": ROOT}
    if args.compare:
        codes = {"before": args.compare.resolve(), "this": ROOT}
    work = Path(tempfile.mkdtemp(prefix="minutes-batch-"))
    bytecode = "kept (a cache per checkout)" if args.bytecode else (
        "not kept (PYTHONDONTWRITEBYTECODE)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "as Python keeps it")
    if args.bytecode:  # the builds inherit this environment
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    try:
        meeting = {} if args.skip_meeting else after_a_meeting(work / "meeting", codes, args.files, args.rounds)
        shutil.rmtree(work / "meeting", ignore_errors=True)
        mem = [] if args.skip_memory else memory(work, codes, [int(p) for p in args.pages.split(",")])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    machine = f"Load average over the last 15 minutes at the end: {_load()} on {os.cpu_count()} cores."
    header = ["| measure | " + " | ".join(codes) + " |", "|---|" + "---|" * len(codes)]
    lines = [SECTION, "", f"{machine} {args.rounds} rounds; medians of same-round figures. "
             f"Compiled modules: {bytecode}.", "", *header]

    def row(name: str, fn) -> None:
        lines.append(f"| {name} | " + " | ".join(fn(label) for label in codes) + " |")

    if meeting:
        row(f"one new 5-page PDF into a {args.files}-file warehouse, whole `minutes build`",
            lambda k: f"{meeting[k]['one']:.2f} s ({meeting[k]['one_range'][0]:.2f}-{meeting[k]['one_range'][1]:.2f})")
        row("no-op build over the same files", lambda k: f"{meeting[k]['noop']:.2f} s")
        row("the machine's pace: a fixed piece of Python (`sum(range(20_000_000))`), processor seconds, median of "
            "the rounds", lambda k: f"{meeting[k]['pace']:.2f} s")
        row("one new file / no-op (median of same-round ratios)", lambda k: f"{meeting[k]['ratio']:.2f}x")
        row("its stages (median seconds)",
            lambda k: ", ".join(f"{s} {v:.3f}" for s, v in meeting[k]["stages"].items()))
        if "versus" in meeting:
            b, a = meeting["versus"]["labels"]
            versus = meeting["versus"]["ratio"]
            lines.append(f"| one new file, {b} / {a} (median of same-round ratios) | {versus:.2f}x |"
                         + " |" * (len(codes) - 1))
    memory_lines = [MEMORY_SECTION, "", machine, "", *header]
    for m in mem:
        if m["label"] == "this" or len(codes) == 1:
            same = [x for x in mem if x["pages"] == m["pages"]]
            memory_lines.append(f"| peak memory, build from empty, {m['files']} files, {m['pages']} pages "
                         "(build + workers; build process alone, when it peaked) | "
                         + " | ".join(f"{x['tree_mib']:.0f} MiB; {x['build_mib']:.0f} MiB at "
                                      f"{100 * x['peak_at']:.0f}% of {x['wall']:.0f} s" for x in same) + " |")
    for measured, section, text in ((meeting, SECTION, lines), (mem, MEMORY_SECTION, memory_lines)):
        if measured:
            print("\n".join(text) + "\n")
            write_section(section, "\n".join(text) + "\n")


if __name__ == "__main__":
    main()
