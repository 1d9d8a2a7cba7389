"""Automatic wrong variants of a code exercise's reference: the slips learners make most
(output transposed, scaled by a constant, sign flipped, reduced over the other axis).

Each variant is Python source, built around the reference's text and graded in the sandbox
like any answer; nothing here runs it. The cases are strong if they reject every variant
that applies to the exercise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

SCALE = 2.0

WRAPPER = """{reference}

import numpy as _mlc_np

_mlc_reference = {entry_point}


def _mlc_each(value):
    if isinstance(value, tuple):
        return tuple(_mlc_each(item) for item in value)
    if isinstance(value, list):
        return [_mlc_each(item) for item in value]
{transform}
    return value


def {entry_point}(*args, **kwargs):
    return _mlc_each(_mlc_reference(*args, **kwargs))
"""

TRANSFORMS = {
    "transposed output": (
        "    if isinstance(value, _mlc_np.ndarray) and value.ndim >= 2:\n"
        "        return _mlc_np.swapaxes(value, -1, -2)\n"
    ),
    "output scaled by a constant": (
        "    if isinstance(value, _mlc_np.ndarray) and value.dtype.kind in 'iufc':\n"
        f"        return value * {SCALE}\n"
        "    if isinstance(value, int | float | complex) and not isinstance(value, bool):\n"
        f"        return value * {SCALE}\n"
    ),
    "sign flipped": (
        "    if isinstance(value, _mlc_np.ndarray) and value.dtype.kind in 'iufc':\n"
        "        return -value\n"
        "    if isinstance(value, int | float | complex) and not isinstance(value, bool):\n"
        "        return -value\n"
    ),
}

AXIS = re.compile(r"\baxis\s*=\s*(-?\d+)")


@dataclass
class Variant:
    name: str
    source: str


def _values(value: Any):
    """Every leaf of a returned value (tuples and lists are walked)."""
    if isinstance(value, tuple | list):
        for item in value:
            yield from _values(item)
    else:
        yield value


def _is_numeric(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "iufc" and value.size > 0 and bool(np.any(value != 0))
    return isinstance(value, int | float | complex | np.number) and not isinstance(value, bool | np.bool_) and value != 0


def applicable(expected_values: list[Any]) -> list[str]:
    """The value-level variants that can change at least one of the reference's outputs."""
    leaves = [leaf for value in expected_values for leaf in _values(value)]
    names = []
    if any(isinstance(leaf, np.ndarray) and leaf.ndim >= 2 and leaf.shape[-1] * leaf.shape[-2] > 1 for leaf in leaves):
        names.append("transposed output")
    if any(_is_numeric(leaf) for leaf in leaves):
        names += ["output scaled by a constant", "sign flipped"]
    return names


def _other_axis(match: re.Match) -> str:
    axis = int(match.group(1))
    other = {0: 1, 1: 0, -1: 0, -2: -1}.get(axis, 0)
    return f"axis={other}"


def other_axis_source(reference: str) -> str | None:
    """The reference with every `axis=k` turned to another axis; None if it names no axis."""
    changed = AXIS.sub(_other_axis, reference)
    return changed if changed != reference else None


def wrong_variants(spec: dict, cases: list | None) -> list[Variant]:
    reference, entry_point = spec["reference"], spec["entry_point"]
    found = []
    for name in applicable([case.expected for case in cases or []]):
        found.append(Variant(name, WRAPPER.format(reference=reference, entry_point=entry_point, transform=TRANSFORMS[name])))
    other_axis = other_axis_source(reference)
    if other_axis is not None:
        found.append(Variant("reduced over another axis", other_axis))
    return found
