"""The clean-up every text read gets: NFC, soft hyphens removed, PDFium's line-end hyphens and
Symbol-font bullets mapped, spaces collapsed."""
from __future__ import annotations

import re
import unicodedata

SOFT_HYPHEN = "\u00ad"


# PDFium writes a hyphen that ends a line as U+0002 (or U+FFFE); it stays a hyphen here and
# join_wrapped decides whether it joins a split word.
_CLEAN = str.maketrans({SOFT_HYPHEN: None, "\x02": "-", "\ufffe": "-", "\uf0b7": "•", "\uf0a7": "•",
                        "\u00a0": " ", "\t": " ", "\r": " ", "\f": " ", "\v": " "})
CHANGED = "".join(map(chr, _CLEAN))  # the characters the table changes (pdftext's compiled reader takes them)
_TO_CLEAN = re.compile("[" + "".join(re.escape(chr(c)) for c in _CLEAN) + "]")
_SPACES = re.compile(r" {2,}")


def clean_text(s: str) -> str:
    """NFC, soft hyphens and PDFium's U+FFFE removed, Symbol-font bullets mapped to '•', spaces collapsed."""
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    if _TO_CLEAN.search(s):  # most strings have none of these; translate is slow on every string
        s = s.translate(_CLEAN)
    return (_SPACES.sub(" ", s) if "  " in s else s).strip()
