"""Back from JSON: rebuild the pipeline's dataclasses from `to_jsonable` output.

The services store each mention's slots as JSON; the story stage needs them as dataclasses
again. One generic decoder driven by the type hints keeps the two in step as types evolve.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar, Union

from . import types as pipeline_types

T = TypeVar("T")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(pipeline_types))


def from_jsonable(cls: type[T], data: Any) -> T:
    """Decode `data` (as produced by `types.to_jsonable`) into an instance of `cls`."""
    return typing.cast(T, _decoder(typing.cast(Any, cls))(data))


def _decode(hint: Any, value: Any) -> Any:
    return _decoder(hint)(value)


@functools.cache
def _decoder(hint: Any) -> Callable[[Any], Any]:
    """The function that decodes a value of type ``hint``: the hints are read once per type, not
    once per value (the story stage decodes every mention's slots each run). None stays None."""
    decode = _decoder_of(hint)

    def decoder(value: Any) -> Any:
        return None if value is None else decode(value)

    return decoder


def _same(value: Any) -> Any:
    return value


def _decoder_of(hint: Any) -> Callable[[Any], Any]:
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        hints = [a for a in typing.get_args(hint) if a is not type(None)]

        def union(value: Any) -> Any:
            for option in hints:
                try:
                    return _decoder(option)(value)
                except (TypeError, ValueError):
                    continue
            return value

        return union
    if origin is typing.Literal:
        return _same
    if origin in (tuple, list, frozenset, set):
        args = typing.get_args(hint)
        if origin is tuple and args and args[-1] is not Ellipsis:
            return lambda value: tuple(_decoder(a)(v) for a, v in zip(args, value, strict=False))
        item = args[0] if args else Any
        if origin is list:
            return lambda value: [_decoder(item)(v) for v in value]
        return lambda value: origin([_decoder(item)(v) for v in value])
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        args = typing.get_args(hint)
        item = args[1] if len(args) == 2 else Any
        return lambda value: {k: _decoder(item)(v) for k, v in value.items()}
    if hint is date:
        return lambda value: value if isinstance(value, date) else date.fromisoformat(value)
    if hint is float:
        return lambda value: float(value) if isinstance(value, int) else value
    if hint is int:

        def integer(value: Any) -> Any:
            if isinstance(value, str):
                raise ValueError(value)  # let a `int | str` union try str
            return value

        return integer
    if hint is str:

        def string(value: Any) -> Any:
            if not isinstance(value, str):
                raise TypeError(value)
            return value

        return string
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        cls = hint
        plan: list[tuple[str, Callable[[Any], Any]]] = []

        def instance(value: Any) -> Any:
            if not plan:  # the fields' decoders, made when first used: a type may name itself
                hints = _hints(cls)
                plan.extend((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls))
            return cls(**{name: decode(value[name]) for name, decode in plan if name in value})

        return instance
    return _same
