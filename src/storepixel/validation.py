"""pydantic's validation errors as the one-line message a user reads (site YAML, detector config,
events, API bodies): ``key.path: what was expected (+N more problems)``.

Only the first problem is spelt out so the message stays one line; fixing it reveals the next.
Unknown keys come first: a typo (``camras:``) usually explains the "missing" key beside it.

>>> from pydantic import BaseModel, ConfigDict, ValidationError
>>> class Camera(BaseModel):
...     model_config = ConfigDict(extra="forbid")
...     id: str
...     fps: float = 5.0
>>> try:
...     Camera.model_validate({"idd": "cam1"})
... except ValidationError as exc:
...     print(describe_validation_error(exc.errors(), Camera))
idd: unknown key 'idd' (did you mean 'id'?); expected one of: id, fps (+1 more problem)
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

Loc = tuple[int | str, ...]


def key_path(loc: Sequence[int | str]) -> str:
    """pydantic's error location as a key path: ``cameras[0].zones[1].polygon``.

    >>> key_path(("cameras", 0, "zones", 1, "polygon"))
    'cameras[0].zones[1].polygon'
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def ordered_problems(errors: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``errors`` with unknown keys first (otherwise in pydantic's order)."""
    return sorted(errors, key=lambda e: e.get("type") != "extra_forbidden")


def first_problem(errors: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The error to show first: the first unknown key if there is one, else the first error."""
    return ordered_problems(errors)[0]


def describe_validation_error(
    errors: Sequence[Mapping[str, Any]],
    model: type[BaseModel] | None = None,
    *,
    most: int = 1,
) -> str:
    """One line for ``errors`` (``ValidationError.errors()``): the first ``most`` problems and
    how many more. ``model`` is the validated model, to list the keys allowed where an unknown
    one was found."""
    if not errors:
        return "invalid input"
    shown = [_describe_one(e, model) for e in ordered_problems(errors)[:most]]
    more = ""
    if len(errors) > most:
        n = len(errors) - most
        more = f" (+{n} more problem{'s' if n > 1 else ''})"
    return "; ".join(shown) + more


def _describe_one(err: Mapping[str, Any], model: type[BaseModel] | None) -> str:
    loc: Loc = tuple(err.get("loc", ()))
    if err.get("type") == "missing" and len(loc) > 1 and isinstance(loc[-1], int):
        loc = loc[:-1]  # a point with too few numbers: name the point, not the missing number
    what = expected(err, None if model is None else model_at(model, loc))
    return f"{key_path(loc) or 'top level'}: {what}"


def expected(err: Mapping[str, Any], owner: type[BaseModel] | None = None) -> str:
    """What ``err`` says was expected, in plain words; ``owner`` owns the key an unknown key
    stands in for."""
    kind, loc, got = err.get("type"), tuple(err.get("loc", ())), err.get("input")
    in_points = (
        any(k in loc for k in ("points", "polygon")) and bool(loc) and isinstance(loc[-1], int)
    )
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        if owner is None:
            return f"unknown key {key!r}"
        allowed = list(owner.model_fields)
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key {key!r}{hint}; expected one of: {', '.join(allowed)}"
    if kind == "missing":
        return "expected a point [x, y]" if in_points else "missing required key"
    if in_points and kind in {"greater_than_equal", "less_than_equal", "finite_number"}:
        return (
            f"point off the frame: expected a normalised coordinate between 0 and 1 "
            f"(fraction of the frame), got {got!r}"
        )
    if kind == "string_pattern_mismatch":
        return (
            f"expected letters, digits and _ . : - (starting with a letter or digit), got {got!r}"
        )
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    if kind == "value_error" or "input" not in err:
        return message
    if message.startswith("Input should be "):
        message = "expected " + message.removeprefix("Input should be ")
    else:
        message = message[:1].lower() + message[1:]
    return f"{message}, got {got!r}"


def model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model that owns the last key of ``loc`` inside ``model``."""
    owner: type[BaseModel] | None = model
    for part in loc[:-1]:
        if isinstance(part, int) or owner is None:
            continue
        field = owner.model_fields.get(part)
        if field is None:
            return None
        owner = _inner_model(field.annotation)
    return owner


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
