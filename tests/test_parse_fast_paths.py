"""The parser's quick tests give what the plain patterns give."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import vocab
from pipeline.parse import header

TITLES = [vocab.load().chair_titles, vocab.load().minute_taker_titles, frozenset({"leder", "styreleder", "ab"}),
          frozenset({"x"}), frozenset({"", "leder"})]
PIECES = st.sampled_from([*"lLsSkKrRmMpPæÆøØåÅ .,:", "\u212a", "\u017f", "\u0130", "\u0131", "eder", "LEDER", "Leiar",
                          "sekretær", "SEKRETÆR", "Referent", "skrivar", "protokollfører", "møte", "styre", "utvalgs"])


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(TITLES), st.lists(PIECES, max_size=12).map("".join))
def test_title_hint_finds_a_line_exactly_when_any_title_occurs(titles, text):
    plain = re.compile("|".join(sorted(map(re.escape, titles))), re.I)
    assert bool(header._titles_re(titles).search(text)) == bool(plain.search(text))
