"""Back from JSON: rebuild the pipeline's dataclasses from `to_jsonable` output.

The services store each mention's slots as JSON; the story stage needs them as dataclasses
again. One generic decoder driven by the type hints keeps the two in step as types evolve.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar, Union

from . import types as pipeline_types

T = TypeVar("T")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(pipeline_types))


def from_jsonable(cls: type[T], data: Any) -> T:
    """Decode `data` (as produced by `types.to_jsonable`) into an instance of `cls`."""
    return typing.cast(T, _decode(cls, data))


def _decode(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        for option in options:
            try:
                return _decode(option, value)
            except (TypeError, ValueError):
                continue
        return value
    if origin is typing.Literal:
        return value
    if origin in (tuple, list, frozenset, set):
        args = typing.get_args(hint)
        if origin is tuple and args and args[-1] is not Ellipsis:
            return tuple(_decode(a, v) for a, v in zip(args, value, strict=False))
        item = args[0] if args else Any
        decoded = [_decode(item, v) for v in value]
        return origin(decoded) if origin is not list else decoded
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        args = typing.get_args(hint)
        item = args[1] if len(args) == 2 else Any
        return {k: _decode(item, v) for k, v in value.items()}
    if hint is date:
        if isinstance(value, date):
            return value
        return date.fromisoformat(value)
    if hint is float and isinstance(value, int):
        return float(value)
    if hint is int and isinstance(value, str):
        raise ValueError(value)  # let a `int | str` union try str
    if hint is str and not isinstance(value, str):
        raise TypeError(value)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = _hints(hint)
        kwargs = {f.name: _decode(hints[f.name], value[f.name]) for f in dataclasses.fields(hint) if f.name in value}
        return hint(**kwargs)
    return value
