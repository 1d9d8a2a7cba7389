"""Compare a learner's return value with the reference's, knowing what the values mean.

Shapes are checked before tolerances (no silent broadcasting), NaN and inf must sit where
the reference has them, and the message says what is wrong and where.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9


@dataclass
class Verdict:
    passed: bool
    message: str = ""
    max_error: float | None = None
    where: list[int] | None = None


class CompareSpecError(ValueError):
    """An exercise's `compare` block names an unknown method or bad options."""


def compare(expected: Any, got: Any, spec: dict | list | None = None, *, context: dict | None = None) -> Verdict:
    """`context` carries the case's arguments for methods that need them (residual checks)."""
    spec = spec if spec is not None else {}
    if isinstance(spec, list):
        return _compare_items(expected, got, spec, context)
    method = spec.get("method", "allclose")
    try:
        comparator = COMPARATORS[method]
    except KeyError:
        raise CompareSpecError(f"unknown compare method {method!r}") from None
    return comparator(expected, got, spec, context or {})


def _compare_items(expected, got, specs: list, context) -> Verdict:
    if not isinstance(got, tuple | list):
        return Verdict(False, f"expected a tuple of {len(specs)} values, got {describe(got)}")
    if len(got) != len(expected):
        return Verdict(False, f"expected {len(expected)} values, got {len(got)}")
    for index, (exp_item, got_item, spec) in enumerate(zip(expected, got, specs, strict=True)):
        verdict = compare(exp_item, got_item, spec, context=context)
        if not verdict.passed:
            verdict.message = f"value {index + 1} of the result: {verdict.message}"
            return verdict
    return Verdict(True)


def describe(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, int | float | complex):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def as_numeric(value: Any) -> np.ndarray | None:
    """A float64 (or complex128) array for anything numeric; None when it is not numeric."""
    if value is None or isinstance(value, str | dict):
        return None
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        return None
    if array.dtype.kind == "c":
        return array.astype(np.complex128)
    if array.dtype.kind not in "biuf":
        return None
    return array.astype(np.float64)


def _shape_text(shape: tuple) -> str:
    return "a single number" if shape == () else f"shape {shape}"


def check_shape(expected: np.ndarray, got_value: Any) -> tuple[np.ndarray | None, Verdict | None]:
    got = as_numeric(got_value)
    if got is None:
        return None, Verdict(False, f"expected {_shape_text(expected.shape)} of numbers, got {describe(got_value)}")
    if got.shape != expected.shape:
        return None, Verdict(False, f"expected {_shape_text(expected.shape)}, got {_shape_text(got.shape)}")
    return got, None


def closeness(expected: np.ndarray, got: np.ndarray, rtol: float, atol: float) -> Verdict:
    """Element-wise tolerance check with NaN/inf placement and a located worst error."""
    exp_nan, got_nan = np.isnan(expected), np.isnan(got)
    if (exp_nan != got_nan).any():
        index = np.argwhere(exp_nan != got_nan)[0]
        where = [int(i) for i in index]
        if got_nan[tuple(index)]:
            return Verdict(False, f"got NaN at {where} where a number was expected", where=where)
        return Verdict(False, f"expected NaN at {where}, got a number", where=where)
    exp_inf, got_inf = np.isinf(expected), np.isinf(got)
    mismatched_inf = (exp_inf | got_inf) & ~((expected == got) & exp_inf)
    if mismatched_inf.any():
        index = np.argwhere(mismatched_inf)[0]
        where = [int(i) for i in index]
        return Verdict(False, f"got {got[tuple(index)]} at {where}, expected {expected[tuple(index)]}", where=where)
    finite = ~(exp_nan | exp_inf)
    error = np.zeros(expected.shape)
    error[finite] = np.abs(got[finite] - expected[finite])
    allowed = atol + rtol * np.abs(expected)
    bad = (error > allowed) & finite
    if not bad.any():
        return Verdict(True, max_error=float(error.max()) if error.size else 0.0)
    worst = np.unravel_index(np.argmax(np.where(bad, error - allowed, -np.inf)), error.shape)
    where = [int(i) for i in worst]
    max_error = float(error[worst])
    if expected.shape == ():
        return Verdict(False, f"expected {expected.item():.6g}, got {got.item():.6g} (error {max_error:.3g})", max_error)
    return Verdict(
        False,
        f"max error {max_error:.3g} at {where}; {int(bad.sum())} of {bad.size} entries differ",
        max_error,
        where,
    )


def _tolerances(spec: dict) -> tuple[float, float]:
    try:
        return float(spec.get("rtol", DEFAULT_RTOL)), float(spec.get("atol", DEFAULT_ATOL))
    except (TypeError, ValueError):
        raise CompareSpecError("rtol and atol must be numbers") from None


def compare_allclose(expected, got, spec, context) -> Verdict:
    if isinstance(expected, tuple | list) and not _is_numeric_sequence(expected):
        return _compare_items(expected, got, [spec] * len(expected), context)
    expected_array = as_numeric(expected)
    if expected_array is None:
        return compare_exact(expected, got, spec, context)
    got_array, problem = check_shape(expected_array, got)
    if problem:
        return problem
    return closeness(expected_array, got_array, *_tolerances(spec))


def _is_numeric_sequence(value) -> bool:
    return as_numeric(value) is not None


def compare_exact(expected, got, spec, context) -> Verdict:
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        expected_array = np.asarray(expected)
        got_array = np.asarray(got) if got is not None else None
        if got_array is None or got_array.shape != expected_array.shape:
            shape = "None" if got_array is None else _shape_text(got_array.shape)
            return Verdict(False, f"expected {_shape_text(expected_array.shape)}, got {shape}")
        differ = expected_array != got_array
        if differ.any():
            where = [int(i) for i in np.argwhere(differ)[0]]
            return Verdict(False, f"{int(differ.sum())} of {differ.size} entries differ, first at {where}", where=where)
        return Verdict(True)
    if type(expected) is not type(got) and not (_plain_number(expected) and _plain_number(got)):
        return Verdict(False, f"expected {describe(expected)}, got {describe(got)}")
    if expected != got:
        return Verdict(False, f"expected {expected!r}, got {got!r}"[:300])
    return Verdict(True)


def _plain_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


COMPARATORS = {
    "allclose": compare_allclose,
    "exact": compare_exact,
}
