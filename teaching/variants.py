"""Automatic wrong variants of a code exercise's reference: the slips learners make most
(output transposed, scaled by a constant, sign flipped, reduced over the other axis), and one
variant per numerical hazard the statement names (overflow, a batch mixing extreme rows,
eigenvalue signs that defeat a determinant test, tiny or huge scale, rank deficiency, ties,
empty input, a zero vector). A hazard variant is the reference itself, except that its result
is spoiled whenever a case's input crosses the hazard: it is caught exactly when some case
crosses it, so an uncaught one names the hazard that no case covers.

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
    return (
        isinstance(value, int | float | complex | np.number) and not isinstance(value, bool | np.bool_) and value != 0
    )


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


HAZARD_WRAPPER = """{reference}

import numpy as _mlc_np

_mlc_reference = {entry_point}


def _mlc_arrays(args, kwargs):
    found = []

    def walk(value):
        if isinstance(value, list | tuple):
            if value and all(isinstance(item, int | float) and not isinstance(item, bool) for item in value):
                found.append(_mlc_np.asarray(value, dtype=float))
                return
            if not value:
                found.append(_mlc_np.zeros(0))
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, _mlc_np.ndarray) and value.dtype.kind in "biuf":
            found.append(value.astype(float))
    for value in list(args) + list(kwargs.values()):
        walk(value)
    return found


def _mlc_integral(a):
    return bool(_mlc_np.all(_mlc_np.isfinite(a)) and _mlc_np.all(a == _mlc_np.round(a)))


{condition}


def _mlc_spoil(value):
    if isinstance(value, tuple):
        return tuple(_mlc_spoil(item) for item in value)
    if isinstance(value, list):
        return [_mlc_spoil(item) for item in value]
    if isinstance(value, bool | _mlc_np.bool_):
        return not value
    if isinstance(value, _mlc_np.ndarray):
        if value.size == 0:
            return _mlc_np.zeros(value.shape[:-1] + (value.shape[-1] + 1,)) if value.ndim else value
        if value.dtype.kind == "b":
            return ~value
        if value.dtype.kind in "iu":
            return value + 1
        return _mlc_np.full(value.shape, _mlc_np.nan)
    if isinstance(value, int | _mlc_np.integer):
        return value + 1
    if isinstance(value, float | _mlc_np.floating | complex):
        return float("nan")
    return value


def {entry_point}(*args, **kwargs):
    try:
        with _mlc_np.errstate(all="ignore"):
            crosses = _mlc_crosses(_mlc_arrays(args, kwargs))
    except Exception:
        crosses = False
    value = _mlc_reference(*args, **kwargs)
    return _mlc_spoil(value) if crosses else value
"""


def _any_case(cases: list, test) -> bool:
    return any(test(case) for case in cases)


def _returns_bool_or_count(cases: list) -> bool:
    leaves = [leaf for case in cases for leaf in _values(case.expected)]
    return any(isinstance(leaf, bool | np.bool_) for leaf in leaves)


def _returns_matrix_or_count(cases: list) -> bool:
    leaves = [leaf for case in cases for leaf in _values(case.expected)]
    return any(
        (isinstance(leaf, np.ndarray) and leaf.ndim == 2)
        or (isinstance(leaf, int | np.integer) and not isinstance(leaf, bool | np.bool_))
        for leaf in leaves
    )


def _row_wise(case) -> bool:
    """A 2-D result with the shape of a 2-D input: an operation on each row of a batch."""
    inputs = [
        arg for arg in list(case.args) + list(case.kwargs.values()) if isinstance(arg, np.ndarray) and arg.ndim == 2
    ]
    outputs = [leaf for leaf in _values(case.expected) if isinstance(leaf, np.ndarray) and leaf.ndim == 2]
    return any(a.shape == b.shape for a in inputs for b in outputs)


@dataclass(frozen=True)
class Hazard:
    """A numerical hazard a statement can name: `named` finds it in the statement, `applies`
    narrows it to exercises whose results it concerns (from the prepared cases, plain data),
    and `condition` (Python source defining `_mlc_crosses(arrays)`, run in the sandbox only)
    says whether a case's inputs cross it."""

    name: str
    named: re.Pattern
    condition: str
    applies: Any = None  # (cases) -> bool, or None for every exercise that names it


HAZARDS = (
    Hazard(
        "logits beyond ±709, where exp overflows (both signs, in one case)",
        re.compile(
            r"(e\^|exp|sigmoid|soft-?max|log-?sum-?exp|tanh).*overflow|overflow.*(e\^|exp|sigmoid|soft-?max|log-?sum-?exp|tanh)",
            re.I | re.S,
        ),
        """def _mlc_crosses(arrays):
    values = [a for a in arrays if a.size]
    scores = list(values)
    for A in values:  # a linear model's scores X @ w are not among the inputs themselves
        for w in values:
            if A.ndim == 2 and w.ndim in (1, 2) and A.shape[1] == w.shape[0] and A is not w:
                scores.append(A @ w)
    finite = [s[_mlc_np.isfinite(s)] for s in scores]
    return any(f.size and f.max() > 709.8 for f in finite) and any(f.size and f.min() < -709.8 for f in finite)""",
    ),
    Hazard(
        "a batch mixing a row beyond +709 with a row below -709",
        re.compile(r"soft-?max.*(overflow|underflow)|(overflow|underflow).*soft-?max", re.I | re.S),
        """def _mlc_crosses(arrays):
    for a in arrays:
        if a.ndim == 2 and a.shape[0] >= 2 and a.shape[1] >= 1:
            peaks = a.max(axis=1)
            if peaks.max() > 709.8 and peaks.min() < -709.8:
                return True
    return False""",
        lambda cases: _any_case(cases, _row_wise),
    ),
    Hazard(
        "an even number of negative eigenvalues (a determinant test says yes)",
        re.compile(r"semi-?definite|positive definite|convex", re.I),
        """def _mlc_crosses(arrays):
    for a in arrays:
        if a.ndim == 2 and a.shape[0] == a.shape[1] >= 2 and _mlc_np.all(_mlc_np.isfinite(a)):
            values = _mlc_np.linalg.eigvalsh((a + a.T) / 2)
            negative = int(_mlc_np.sum(values < -1e-9 * max(1.0, float(_mlc_np.abs(values).max()))))
            if negative >= 2 and negative % 2 == 0:
                return True
    return False""",
        _returns_bool_or_count,
    ),
    Hazard(
        "a matrix of tiny or huge scale (entries below 1e-9 or above 1e9), where a fixed cut-off fails",
        re.compile(r"pseudo-?inverse|pinv|numerical rank|cut-?off", re.I),
        """def _mlc_crosses(arrays):
    for a in arrays:
        if a.ndim == 2 and a.size and _mlc_np.all(_mlc_np.isfinite(a)):
            top = float(_mlc_np.abs(a).max())
            if 0 < top < 1e-9 or top > 1e9:
                return True
    return False""",
        _returns_matrix_or_count,
    ),
    Hazard(
        "a rank-deficient matrix",
        re.compile(r"pseudo-?inverse|pinv|numerical rank|rank-deficient", re.I),
        """def _mlc_crosses(arrays):
    for a in arrays:
        if a.ndim == 2 and min(a.shape) >= 2 and _mlc_np.all(_mlc_np.isfinite(a)) and _mlc_np.any(a):
            s = _mlc_np.linalg.svd(a, compute_uv=False)
            if s[-1] <= s[0] * max(a.shape) * 1e-12:
                return True
    return False""",
        _returns_matrix_or_count,
    ),
    Hazard(
        "a tie (two equal best values, or two equally close points)",
        re.compile(r"\bties?\b|equally close|tie-break", re.I),
        """def _mlc_crosses(arrays):
    def tied(v):
        v = v[_mlc_np.isfinite(v)]
        return v.size >= 2 and (_mlc_np.sum(v == v.max()) >= 2 or _mlc_np.sum(v == v.min()) >= 2)
    for a in arrays:
        if a.ndim == 1 and not _mlc_integral(a) and tied(a):
            return True
        if a.ndim == 2 and not _mlc_integral(a) and any(tied(row) for row in a):
            return True
        if a.ndim == 2 and a.shape[1] >= 2 and _mlc_np.unique(a.T, axis=0).shape[0] < a.shape[1]:
            return True  # two equal columns: equal features score equally, whatever the score
    for a in arrays:
        for b in arrays:
            if a is not b and a.ndim == b.ndim == 2 and a.shape[1] == b.shape[1] and a.size and b.size:
                d = ((b[:, None, :] - a[None, :, :]) ** 2).sum(axis=2)
                if any(_mlc_np.sum(_mlc_np.abs(row - row.min()) <= 1e-12 * max(1.0, row.min())) >= 2 for row in d):
                    return True
    return False""",
    ),
    Hazard(
        "an empty input",
        re.compile(r"\bempty\b", re.I),
        """def _mlc_crosses(arrays):
    return any(a.size == 0 for a in arrays)""",
    ),
    Hazard(
        "a zero vector (or a zero row or column)",
        re.compile(r"zero vector|zero row|zero column|(?<!not )all[- ]zeros?|zero norm", re.I),
        """def _mlc_crosses(arrays):
    for a in arrays:
        if a.ndim == 1 and a.size and not _mlc_np.any(a):
            return True
        if a.ndim == 2 and a.size and (not _mlc_np.all(_mlc_np.any(a, axis=1)) or not _mlc_np.all(_mlc_np.any(a, axis=0))):
            return True
    return False""",
    ),
)


def named_hazards(statement: str, cases: list | None = None) -> list[Hazard]:
    """The hazards a statement names that concern this exercise's results (all it names, when
    no cases are given), in HAZARDS' order."""
    return [
        hazard for hazard in HAZARDS
        if hazard.named.search(statement or "") and (cases is None or hazard.applies is None or hazard.applies(cases))
    ]  # fmt: skip


def hazard_variants(spec: dict, statement: str, cases: list | None = None) -> list[Variant]:
    reference, entry_point = spec["reference"], spec["entry_point"]
    return [
        Variant(
            f"hazard: {hazard.name}",
            HAZARD_WRAPPER.format(reference=reference, entry_point=entry_point, condition=hazard.condition),
        )
        for hazard in named_hazards(statement, cases)
    ]


def wrong_variants(spec: dict, cases: list | None, statement: str = "") -> list[Variant]:
    reference, entry_point = spec["reference"], spec["entry_point"]
    found = []
    for name in applicable([case.expected for case in cases or []]):
        found.append(
            Variant(name, WRAPPER.format(reference=reference, entry_point=entry_point, transform=TRANSFORMS[name]))
        )
    other_axis = other_axis_source(reference)
    if other_axis is not None:
        found.append(Variant("reduced over another axis", other_axis))
    return found + hazard_variants(spec, statement, cases)
