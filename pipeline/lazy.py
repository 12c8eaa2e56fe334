"""Modules imported on first use: `module("pipeline.extract")` is the module, whose code runs when
one of its attributes is first read. A process that only refers to a module (the build process
names the stages its workers run) does not pay for importing it."""
from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import sys
from collections.abc import Iterator
from types import ModuleType


def module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    loader.exec_module(mod)
    return mod


class _Refused(importlib.abc.MetaPathFinder):
    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.partition(".")[0] in self.names:
            raise ImportError(f"{fullname} is not imported by this command", name=fullname)


def _allowed_in_child() -> None:
    """A forked worker imports what it needs: refusals are the command's own process's."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Refused)]


os.register_at_fork(after_in_child=_allowed_in_child)


@contextlib.contextmanager
def refused(*names: str) -> Iterator[None]:
    """Within this block, importing these packages fails as if they were not installed (unless they
    are imported already). For a command that never needs them but calls a library that imports
    them on the chance: Arrow imports pandas (0.25-0.8 s, 40 MiB) the first time it converts
    Python values, to recognise pandas objects among them, and remembers that it is absent; it
    imports numpy when it is imported, and works without it."""
    finder = _Refused(frozenset(n for n in names if n not in sys.modules))
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
