# Types of the C extension built from _pdfpage.c (see pdftext.py for the Python functions it stands for).
from collections.abc import Callable

def bind(
    addresses: tuple[int | None, ...], text: int, path: int, form: int,
    clean_text: Callable[[str], str], changed: str, /,
) -> None: ...
def walk(
    page: int, height: float, /
) -> tuple[list[tuple[int, bool, float]], list[tuple[float, float, float]], list[tuple[float, float, float]]]: ...
def geometry(
    textpage: int, n: int, texts: list[tuple[int, bool, float]], full: str, /
) -> tuple[list[tuple[float, float, float, float]], list[int] | None]: ...
def run_texts(full: str, firsts: list[int], n: int, /) -> list[str | None]: ...
