"""Sample data for any template: every value a template asks for is a Chinese name, a list
of one, or a record whose every field is again a sample."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jinja2 import Undefined

NAME = "李春华"


class SampleText(str):
    """A string value that is also a record (`x.name`) and, when unpacked, has as many parts
    as asked (`for a, b in ...`)."""

    width = 3

    def __new__(cls) -> SampleText:
        return str.__new__(cls, (NAME + "沙河子村")[: cls.width])

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("__") or name in {"join", "format", "replace", "strip", "split"}:
            return super().__getattribute__(name)
        return SampleText()

    def __getitem__(self, key: object) -> SampleText:  # type: ignore[override]
        return SampleText()

    def __call__(self, *args: object, **kwargs: object) -> SampleText:
        return SampleText()

    def __html__(self) -> str:
        return str.__str__(self)


class Sample(Undefined):
    """Jinja's value for a name the context does not give."""

    __slots__ = ()

    def __str__(self) -> str:
        return NAME

    def __html__(self) -> str:
        return NAME

    def __iter__(self) -> Iterator[Any]:
        yield SampleText()

    def __bool__(self) -> bool:
        return True

    def __len__(self) -> int:
        return 1

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return Sample()

    def __getitem__(self, key: object) -> Any:
        return Sample()

    def __call__(self, *args: object, **kwargs: object) -> Any:
        return Sample()

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 1

    def __lt__(self, other: object) -> bool:
        return False

    __gt__ = __le__ = __ge__ = __lt__

    def __int__(self) -> int:
        return 3

    def __float__(self) -> float:
        return 3.0

    def __add__(self, other: object) -> Any:
        return self

    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __mod__ = __add__

    def __format__(self, spec: str) -> str:
        return NAME
