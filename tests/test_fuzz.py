"""The parsers never raise on text: random and mutated minutes may yield nothing, never an exception."""
from __future__ import annotations

import json
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RAW
from pipeline import extract
from pipeline.models import Page, SourceFile
from pipeline.read.lines import text_lines

SEED_LINES = (RAW / "vestfold" / "ssu-2024-05-23-innkalling-bundle.txt").read_text(encoding="utf-8").splitlines()
SOURCE = SourceFile(path="fuzz.txt", sha256="0" * 64, format="txt", partnership="fuzz", size=1, pages=1)
WORDS = ["Sak", "2024.13", "3/25", "Vedtak:", "Konklusjon", "Forslag til vedtak", "Til stede", "Forfall:",
         "Referat", "Innkalling", "SSU", "FSU", "Møteleder", "Referent", "X", "og", "Dato:", "kl.", "13.00",
         "Ansvar", "Saksnr.", "Eventuelt", "Kari Nordmann", "æøå", "ÆØÅ", "\t", "  ", "-", "•", ":", "."]


def run_text(text: str) -> dict:
    pages = []
    rows = count(1)
    for n, chunk in enumerate(text.split("\f"), start=1):
        lines, furniture = text_lines(chunk, n, rows, markdown=False)
        pages.append(Page(n, tuple(lines), tuple(furniture)))
    ex = extract.pages_to_extraction(SOURCE, pages)
    return json.loads(extract.to_json(ex.to_dict()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=2000))
def test_random_text_never_raises(text):
    run_text(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=400))
def test_minutes_vocabulary_in_random_order_never_raises(tokens):
    text = ""
    for i, tok in enumerate(tokens):
        text += tok + ("\n" if i % 5 == 4 else " ")
    run_text(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_seed_minutes_never_raise(data):
    lines = list(SEED_LINES)
    for _ in range(data.draw(st.integers(0, 40))):
        op = data.draw(st.sampled_from(["drop", "dup", "swap", "cut", "noise", "pagebreak"]))
        i = data.draw(st.integers(0, len(lines) - 1)) if lines else 0
        if not lines:
            break
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "cut":
            k = data.draw(st.integers(0, max(0, len(lines[i]))))
            lines[i] = lines[i][:k]
        elif op == "noise":
            lines[i] += data.draw(st.text(max_size=20))
        else:
            lines.insert(i, "\f")
    out = run_text("\n".join(lines))
    assert isinstance(out["documents"], list)
