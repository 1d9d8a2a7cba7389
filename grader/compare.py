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
    signs: list[int] | None = None  # per column (row), the sign sign_per_column applied: 1, -1, or 0 if either fits


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
    verdicts = []
    for index, (exp_item, got_item, spec) in enumerate(zip(expected, got, specs, strict=True)):
        verdict = compare(exp_item, got_item, spec, context=context)
        if not verdict.passed:
            verdict.message = f"value {index + 1} of the result: {verdict.message}"
            return verdict
        verdicts.append(verdict)
    for index, spec in enumerate(specs):
        partner = spec.get("same_signs_as") if isinstance(spec, dict) else None
        if partner is not None:
            problem = _inconsistent_signs(verdicts[partner - 1].signs, verdicts[index].signs)
            if problem is not None:
                return Verdict(
                    False,
                    f"value {index + 1} of the result: column {problem} has the opposite sign to column "
                    f"{problem} of value {partner}; each may have either sign, but both must use the same one",
                    where=[problem],
                )
    return Verdict(True)


def _inconsistent_signs(first: list[int] | None, second: list[int] | None) -> int | None:
    """The first column whose sign was decided in both parts and differs, or None."""
    if first is None or second is None:
        return None
    for column, (a, b) in enumerate(zip(first, second, strict=False)):
        if a and b and a != b:
            return column
    return None


def describe(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, np.bool_):
        return f"the boolean {bool(value)} (NumPy bool_)"
    if isinstance(value, np.generic):
        return f"the number {value.item()!r} ({value.dtype})"
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


def _got_shape_text(shape: tuple) -> str:
    return "a single number" if shape == () else str(shape)


def check_shape(expected: np.ndarray, got_value: Any) -> tuple[np.ndarray | None, Verdict | None]:
    got = as_numeric(got_value)
    if got is None:
        return None, Verdict(False, f"expected {_shape_text(expected.shape)} of numbers, got {describe(got_value)}")
    if got.shape != expected.shape:
        return None, Verdict(False, f"expected {_shape_text(expected.shape)}, got {_got_shape_text(got.shape)}")
    return got, None


def closeness(expected: np.ndarray, got: np.ndarray, rtol: float, atol: float) -> Verdict:
    """Element-wise tolerance check with NaN/inf placement and a located worst error."""
    exp_nan, got_nan = np.isnan(expected), np.isnan(got)
    if (exp_nan != got_nan).any():
        index = np.argwhere(exp_nan != got_nan)[0]
        where = [int(i) for i in index]
        at = f" at {where}" if where else ""
        if got_nan[tuple(index)]:
            return Verdict(False, f"got NaN{at} where a number was expected", where=where or None)
        return Verdict(False, f"expected NaN{at}, got a number", where=where or None)
    exp_inf, got_inf = np.isinf(expected), np.isinf(got)
    mismatched_inf = (exp_inf | got_inf) & ~((expected == got) & exp_inf)
    if mismatched_inf.any():
        index = np.argwhere(mismatched_inf)[0]
        where = [int(i) for i in index]
        at = f" at {where}" if where else ""
        return Verdict(
            False,
            f"got {got[tuple(index)]}{at}, expected {expected[tuple(index)]}",
            where=where or None,
        )
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
        return Verdict(
            False,
            f"expected {expected.item():.6g}, got {got.item():.6g} (error {max_error:.3g})",
            max_error,
        )
    return Verdict(
        False,
        f"max error {max_error:.3g} at {where}; {int(bad.sum())} of {bad.size} entries differ",
        max_error,
        where,
    )


def _tolerances(spec: dict, *, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> tuple[float, float]:
    try:
        return float(spec.get("rtol", rtol)), float(spec.get("atol", atol))
    except (TypeError, ValueError):
        raise CompareSpecError("rtol and atol must be numbers") from None


def _numeric_pair(expected, got) -> tuple[np.ndarray | None, np.ndarray | None, Verdict | None]:
    """Both values as float64/complex128 arrays of the same shape, or the reason they are not.

    A real expectation refuses booleans and complex numbers with an imaginary part: a learner
    returning `x > 0` or an unreal eigenvalue has made a mistake worth naming."""
    expected_array = as_numeric(expected)
    if expected_array is None:
        return None, None, None
    got_array, problem = check_shape(expected_array, got)
    if problem:
        return expected_array, None, problem
    got_kind = np.asarray(got).dtype.kind
    expected_kind = np.asarray(expected).dtype.kind
    if got_kind == "b" and expected_kind != "b":
        return expected_array, None, Verdict(False, "expected numbers, got booleans (True/False)")
    if got_array.dtype.kind == "c" and expected_array.dtype.kind != "c":
        if np.any(got_array.imag != 0):
            return (
                expected_array,
                None,
                Verdict(False, "expected real numbers, got complex numbers"),
            )
        got_array = got_array.real.astype(np.float64)
    return expected_array, got_array, None


def data_scaled_atol(expected: np.ndarray, atol: float) -> float:
    """atol plus a rounding allowance that grows with the data's magnitude, so an entry that
    should be 0 in a matrix of 1e6s is not failed for a difference of 1e-10."""
    finite = np.abs(expected[np.isfinite(expected)])
    scale = float(finite.max()) if finite.size else 0.0
    return atol + 64 * np.finfo(np.float64).eps * scale


def compare_allclose(expected, got, spec, context) -> Verdict:
    if isinstance(expected, tuple | list) and not _is_numeric_sequence(expected):
        return _compare_items(expected, got, [spec] * len(expected), context)
    expected_array, got_array, problem = _numeric_pair(expected, got)
    if problem:
        return problem
    if expected_array is None:
        return compare_exact(expected, got, spec, context)
    rtol, atol = _tolerances(spec)
    return closeness(expected_array, got_array, rtol, data_scaled_atol(expected_array, atol))


def _is_numeric_sequence(value) -> bool:
    return as_numeric(value) is not None


def compare_exact(expected, got, spec, context) -> Verdict:
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        expected_array = np.asarray(expected)
        got_array = as_numeric(got) if not isinstance(got, np.ndarray) else got
        if got_array is None or got_array.shape != expected_array.shape:
            shape = describe(got) if got_array is None else _shape_text(got_array.shape)
            return Verdict(False, f"expected {_shape_text(expected_array.shape)}, got {shape}")
        differ = (expected_array != got_array) & ~(_nan_mask(expected_array) & _nan_mask(got_array))
        if differ.any():
            where = [int(i) for i in np.argwhere(differ)[0]]
            return Verdict(
                False,
                f"{int(differ.sum())} of {differ.size} entries differ, first at {where}",
                where=where,
            )
        return Verdict(True)
    if isinstance(expected, tuple | list) and isinstance(got, tuple | list):
        if type(expected) is not type(got):
            return Verdict(False, f"expected a {type(expected).__name__}, got a {type(got).__name__}")
        if len(expected) != len(got):
            return Verdict(False, f"expected {len(expected)} items, got {len(got)}")
        for index, (exp_item, got_item) in enumerate(zip(expected, got, strict=True)):
            verdict = compare_exact(exp_item, got_item, spec, context)
            if not verdict.passed:
                verdict.message = f"item {index}: {verdict.message}"
                return verdict
        return Verdict(True)
    if isinstance(expected, dict) and isinstance(got, dict):
        if set(expected) != set(got):
            missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
            return Verdict(False, f"keys differ: missing {missing}, unexpected {extra}"[:300])
        for key in expected:
            verdict = compare_exact(expected[key], got[key], spec, context)
            if not verdict.passed:
                verdict.message = f"key {key!r}: {verdict.message}"
                return verdict
        return Verdict(True)
    # A NumPy scalar equals the Python value of the same kind: np.int64(3) is 3, np.True_ is True.
    expected, got = _python_scalar(expected), _python_scalar(got)
    if type(expected) is not type(got) and not (_plain_number(expected) and _plain_number(got)):
        return Verdict(False, f"expected {describe(expected)}, got {describe(got)}")
    if isinstance(expected, float) and isinstance(got, float) and np.isnan(expected) and np.isnan(got):
        return Verdict(True)
    if expected != got:
        return Verdict(False, f"expected {expected!r}, got {got!r}"[:300])
    return Verdict(True)


def _python_scalar(value):
    return value.item() if isinstance(value, np.generic) else value


def _nan_mask(array: np.ndarray) -> np.ndarray:
    return np.isnan(array) if array.dtype.kind in "fc" else np.zeros(array.shape, dtype=bool)


def _plain_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric_or_problem(expected, got, what: str) -> tuple[np.ndarray, np.ndarray] | Verdict:
    expected_array, got_array, problem = _numeric_pair(expected, got)
    if problem:
        return problem
    if expected_array is None:
        raise CompareSpecError(f"{what} needs a numeric reference value, got {describe(expected)}")
    return expected_array, got_array


# --- up to sign ------------------------------------------------------------------------


SIGN_RULES = {
    # name: (per-column statistic that must be positive, how the statement puts it)
    "positive_diagonal": "column k has a positive dot product with column k of the input (q_k · a_k > 0, "
    "so that the triangular factor has a positive diagonal)",
    "largest_positive": "the entry of largest magnitude in each column is positive",
    "first_positive": "the first non-zero entry of each column is positive",
}


def _up_to_sign(axis: int, method: str):
    """Each column (axis 0) or row (axis 1) may be negated: eigenvectors, singular vectors,
    principal axes are defined only up to sign. A declared `sign_rule` fixes the sign as the
    statement does; the learner's result must then follow it."""

    def comparator(expected, got, spec, context) -> Verdict:
        pair = _numeric_or_problem(expected, got, method)
        if isinstance(pair, Verdict):
            return pair
        expected_array, got_array = pair
        if expected_array.ndim not in (1, 2):
            raise CompareSpecError(f"{method} compares vectors or matrices")
        rtol, atol = _tolerances(spec)
        atol = data_scaled_atol(expected_array, atol)
        rule = spec.get("sign_rule")
        if rule is not None:
            broken = _breaks_sign_rule(rule, got_array, axis, context, atol)
            if broken is not None:
                what = "column" if axis == 0 else "row"
                return Verdict(
                    False,
                    f"{what} {broken} has the wrong sign: the statement asks that {SIGN_RULES[rule]}",
                    where=[broken],
                )
        aligned, signs = _align_signs(expected_array, got_array, axis=axis, atol=atol)
        verdict = closeness(expected_array, aligned, rtol, atol)
        verdict.signs = signs
        return verdict

    return comparator


compare_sign_per_column = _up_to_sign(0, "sign_per_column")
compare_sign_per_row = _up_to_sign(1, "sign_per_row")


def _breaks_sign_rule(rule: str, got: np.ndarray, axis: int, context: dict, atol: float) -> int | None:
    """The first column (row) whose sign breaks the declared rule, or None."""
    vectors = got if got.ndim == 2 else got[:, None]
    if axis == 1:
        vectors = vectors.T
    if rule == "positive_diagonal":
        args = list((context or {}).get("args", []))
        source = as_numeric(args[0]) if args else None
        if source is None or source.ndim != 2 or source.shape[0] != vectors.shape[0]:
            raise CompareSpecError("sign_rule positive_diagonal needs the input matrix as the first argument")
        statistic = np.einsum("ij,ij->j", vectors, source[:, : vectors.shape[1]])
    elif rule == "largest_positive":
        statistic = vectors[np.argmax(np.abs(vectors), axis=0), np.arange(vectors.shape[1])]
    else:
        nonzero = np.abs(vectors) > atol
        first = np.argmax(nonzero, axis=0)
        statistic = np.where(nonzero.any(axis=0), vectors[first, np.arange(vectors.shape[1])], 1.0)
    wrong = np.flatnonzero(statistic < -atol)
    return int(wrong[0]) if wrong.size else None


def _align_signs(expected: np.ndarray, got: np.ndarray, axis: int, atol: float = 0.0) -> tuple[np.ndarray, list[int]]:
    """`got` with each column (axis=0) or row (axis=1) negated where that brings it closer, and
    the sign used for each (0 where both fit as well: a column of zeros).

    The sign is chosen by the smaller distance, not by the dot product, so a column that is
    zero or orthogonal to the reference keeps its own sign and still fails."""
    if expected.ndim == 1:
        plus, minus = _distance(expected, got), _distance(expected, -got)
        sign = -1 if minus < plus else 1
        decided = abs(plus - minus) > atol * expected.size
        return got * sign, [sign if decided else 0]
    with np.errstate(invalid="ignore"):
        plus = np.nansum(np.abs(expected - got), axis=axis)
        minus = np.nansum(np.abs(expected + got), axis=axis)
    signs = np.where(minus < plus, -1.0, 1.0)
    decided = np.abs(plus - minus) > atol * expected.shape[axis]
    aligned = got * (signs[np.newaxis, :] if axis == 0 else signs[:, np.newaxis])
    return aligned, [int(sign) if ok else 0 for sign, ok in zip(signs, decided, strict=True)]


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    with np.errstate(invalid="ignore"):
        return float(np.nansum(np.abs(a - b)))


# --- up to order -----------------------------------------------------------------------


def compare_permutation(expected, got, spec, context) -> Verdict:
    """The same entries in any order (1-D)."""
    pair = _numeric_or_problem(expected, got, "permutation")
    if isinstance(pair, Verdict):
        return pair
    expected_array, got_array = pair
    if expected_array.ndim != 1:
        raise CompareSpecError("permutation compares 1-D arrays")
    expected_sorted, got_sorted = _sorted(expected_array), _sorted(got_array)
    rtol, atol = _tolerances(spec)
    verdict = closeness(expected_sorted, got_sorted, rtol, data_scaled_atol(expected_array, atol))
    if not verdict.passed:
        verdict.message = f"after sorting both (the order does not matter): {verdict.message}"
    return verdict


def _sorted(array: np.ndarray) -> np.ndarray:
    if array.dtype.kind == "c":
        return array[np.lexsort((array.imag, array.real))]
    return np.sort(array)


def compare_set(expected, got, spec, context) -> Verdict:
    """The same distinct values, order and repetition ignored. Numbers match within the
    tolerance; rows of a 2-D array are the elements; anything else must match exactly."""
    expected_array = as_numeric(expected)
    if expected_array is None:
        return _exact_set(expected, got)
    got_array = as_numeric(got)
    if got_array is None:
        return Verdict(False, f"expected a collection of numbers, got {describe(got)}")
    if expected_array.ndim == 0 or got_array.ndim == 0:
        return Verdict(False, f"expected a collection, got {_shape_text(got_array.shape)}")
    expected_items = expected_array.reshape(len(expected_array), -1)
    if got_array.ndim != expected_array.ndim or got_array.shape[1:] != expected_array.shape[1:]:
        return Verdict(
            False,
            f"expected elements of shape {expected_array.shape[1:]}, got {got_array.shape[1:]}",
        )
    got_items = got_array.reshape(len(got_array), -1)
    rtol, atol = _tolerances(spec)
    atol = data_scaled_atol(expected_array, atol)

    def matches(item, pool):
        return np.all(np.abs(pool - item) <= atol + rtol * np.abs(item), axis=1)

    missing = [i for i, item in enumerate(expected_items) if not matches(item, got_items).any()]
    extra = [i for i, item in enumerate(got_items) if not matches(item, expected_items).any()]
    if not missing and not extra:
        return Verdict(True)
    parts = []
    if missing:
        parts.append(f"{len(missing)} expected value(s) missing, e.g. {_item_text(expected_items[missing[0]])}")
    if extra:
        parts.append(f"{len(extra)} unexpected value(s), e.g. {_item_text(got_items[extra[0]])}")
    return Verdict(False, "; ".join(parts))


def _item_text(item: np.ndarray) -> str:
    return f"{item[0]:.6g}" if item.size == 1 else np.array2string(item, precision=6)


def _exact_set(expected, got) -> Verdict:
    if not isinstance(expected, list | tuple | set) or not isinstance(got, list | tuple):
        return Verdict(False, f"expected a collection, got {describe(got)}")
    try:
        expected_set, got_set = {_hashable(v) for v in expected}, {_hashable(v) for v in got}
    except TypeError:
        return Verdict(False, f"expected a collection of plain values, got {describe(got)}")
    missing, extra = expected_set - got_set, got_set - expected_set
    if not missing and not extra:
        return Verdict(True)
    parts = []
    if missing:
        parts.append(f"{len(missing)} expected value(s) missing")
    if extra:
        parts.append(f"{len(extra)} unexpected value(s), e.g. {next(iter(extra))!r}"[:200])
    return Verdict(False, "; ".join(parts))


def _hashable(value):
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, np.ndarray):
        return tuple(_hashable(item) for item in value.tolist()) if value.ndim else value.item()
    if isinstance(value, dict):
        raise TypeError("dict")
    return value


# --- subspace --------------------------------------------------------------------------


def compare_subspace(expected, got, spec, context) -> Verdict:
    """The columns span the same subspace: any basis of it passes (up to sign, rotation)."""
    pair = _numeric_or_problem(expected, got, "subspace")
    if isinstance(pair, Verdict):
        return pair
    expected_array, got_array = pair
    if expected_array.ndim == 1:
        expected_array, got_array = expected_array[:, None], got_array[:, None]
    if expected_array.ndim != 2:
        raise CompareSpecError("subspace compares matrices whose columns span a subspace")
    if not np.all(np.isfinite(got_array)):
        return Verdict(False, "the result contains NaN or inf")
    _, atol = _tolerances(spec, atol=1e-6)
    basis_expected, basis_got = _orthonormal_basis(expected_array), _orthonormal_basis(got_array)
    if basis_expected.shape[1] != basis_got.shape[1]:
        return Verdict(
            False,
            f"the columns span a subspace of dimension {basis_got.shape[1]}, expected {basis_expected.shape[1]}",
        )
    # Distance between subspaces: the largest principal-angle sine, ‖(I - P_e) Q_g‖₂.
    leftover = basis_got - basis_expected @ (basis_expected.conj().T @ basis_got)
    gap = float(np.linalg.norm(leftover, 2)) if leftover.size else 0.0
    if gap > atol:
        return Verdict(False, f"the columns span a different subspace (gap {gap:.3g}, allowed {atol:.3g})", gap)
    return Verdict(True, max_error=gap)


def _orthonormal_basis(matrix: np.ndarray) -> np.ndarray:
    if matrix.size == 0:
        return matrix
    u, s, _ = np.linalg.svd(matrix, full_matrices=False)
    tolerance = max(matrix.shape) * np.finfo(np.float64).eps * (s[0] if s.size else 0.0)
    return u[:, s > tolerance]


# --- residual --------------------------------------------------------------------------


def compare_residual(expected, got, spec, context) -> Verdict:
    """A solver's answer judged by its residual: ‖Ax - b‖ (linear) or ‖Aᵀ(Ax - b)‖ (least
    squares) must be as small as the reference's, up to rounding scaled to the data. Any
    solution of a singular or rank-deficient system passes, as it should."""
    system = spec.get("system", "linear")
    if system not in ("linear", "least_squares"):
        raise CompareSpecError(f"residual: unknown system {system!r} (linear or least_squares)")
    A, b = _system_arguments(context)
    pair = _numeric_or_problem(expected, got, "residual")
    if isinstance(pair, Verdict):
        return pair
    x_expected, x_got = pair
    if not np.all(np.isfinite(x_got)):
        index = [int(i) for i in np.argwhere(~np.isfinite(x_got))[0]]
        return Verdict(False, f"got {x_got[tuple(index)]} at {index}", where=index)
    rtol, atol = _tolerances(spec, rtol=1e-8, atol=1e-10)

    def residual(x):
        r = A @ x - b
        return float(np.linalg.norm(A.conj().T @ r if system == "least_squares" else r))

    norm_a = float(np.linalg.norm(A))
    scale = norm_a * float(np.linalg.norm(x_expected)) + float(np.linalg.norm(b))
    if system == "least_squares":
        scale *= norm_a
    reference, learner = residual(x_expected), residual(x_got)
    allowed = 10 * reference + atol + rtol * scale
    what = "‖Aᵀ(Ax - b)‖" if system == "least_squares" else "‖Ax - b‖"
    if learner > allowed:
        return Verdict(
            False,
            f"{what} = {learner:.3g} for your x, the reference reaches {reference:.3g}",
            learner,
        )
    return Verdict(True, max_error=learner)


def compare_least_squares(expected, got, spec, context) -> Verdict:
    """A least-squares solution judged against a stable reference, within the accuracy any
    backward-stable method (QR, SVD, lstsq) reaches: relative error up to
    `factor` · eps · (κ + κ² ‖r‖ / (‖A‖ ‖x‖)), κ the condition number of A. Forming AᵀA squares
    κ even when the residual is zero, so on an ill-conditioned case the normal equations fail,
    while their residual ‖Aᵀ(Ax - b)‖ could not tell them apart."""
    A, b = _system_arguments(context)
    pair = _numeric_or_problem(expected, got, "least_squares")
    if isinstance(pair, Verdict):
        return pair
    x_expected, x_got = pair
    if not np.all(np.isfinite(x_got)):
        index = [int(i) for i in np.argwhere(~np.isfinite(x_got))[0]]
        return Verdict(False, f"got {x_got[tuple(index)]} at {index}", where=index)
    try:
        factor = float(spec.get("factor", 1000.0))
    except (TypeError, ValueError):
        raise CompareSpecError("least_squares: factor must be a number") from None
    rtol, atol = _tolerances(spec, rtol=1e-8, atol=1e-12)
    singular = np.linalg.svd(A, compute_uv=False)
    if singular.size == 0 or singular[-1] <= 0:
        raise CompareSpecError("least_squares needs A with independent columns")
    kappa = float(singular[0] / singular[-1])
    norm_x = float(np.linalg.norm(x_expected))
    residual = float(np.linalg.norm(A @ x_expected - b))
    eps = np.finfo(np.float64).eps
    relative = factor * eps * (kappa + kappa**2 * residual / max(float(singular[0]) * norm_x, np.finfo(float).tiny))
    allowed = max(rtol, relative) * norm_x + atol
    error = float(np.linalg.norm(x_got - x_expected))
    if error > allowed:
        return Verdict(
            False,
            f"‖x - x_ref‖ = {error:.3g}, but a numerically stable method is within {allowed:.3g} here "
            f"(the condition number of A is {kappa:.3g})",
            error,
        )
    return Verdict(True, max_error=error)


def _system_arguments(context: dict) -> tuple[np.ndarray, np.ndarray]:
    args, kwargs = list(context.get("args", [])), dict(context.get("kwargs", {}))
    A = kwargs.get("A", args[0] if args else None)
    b = kwargs.get("b", args[1] if len(args) > 1 else None)
    A_array, b_array = as_numeric(A), as_numeric(b)
    if A_array is None or b_array is None or A_array.ndim != 2 or A_array.shape[0] != b_array.shape[0]:
        raise CompareSpecError("residual needs the case's arguments A (a matrix) and b, first and second")
    return A_array, b_array


# --- probability -----------------------------------------------------------------------


def compare_probability(expected, got, spec, context) -> Verdict:
    """A probability vector, or one per row (`axis`): non-negative, summing to 1, and close
    to the reference."""
    pair = _numeric_or_problem(expected, got, "probability")
    if isinstance(pair, Verdict):
        return pair
    expected_array, got_array = pair
    try:
        axis = int(spec.get("axis", -1))
    except (TypeError, ValueError):
        raise CompareSpecError("probability: axis must be an integer") from None
    if got_array.dtype.kind == "c":
        return Verdict(False, "probabilities must be real numbers")
    if expected_array.ndim == 0:
        raise CompareSpecError("probability compares vectors or arrays of them")
    rtol, atol = _tolerances(spec)
    if not np.all(np.isfinite(got_array)):
        index = [int(i) for i in np.argwhere(~np.isfinite(got_array))[0]]
        return Verdict(False, f"got {got_array[tuple(index)]} at {index}: not a probability", where=index)
    negative = got_array < -atol
    if negative.any():
        index = [int(i) for i in np.argwhere(negative)[0]]
        return Verdict(
            False,
            f"got a negative probability {got_array[tuple(index)]:.3g} at {index}",
            where=index,
        )
    axis = axis % expected_array.ndim
    sums = got_array.sum(axis=axis)
    slack = atol * got_array.shape[axis] + 1e-9
    off = np.abs(sums - 1.0) > slack
    if np.asarray(off).any():
        if np.ndim(sums) == 0:
            return Verdict(False, f"the probabilities sum to {float(sums):.6g}, not 1")
        index = [int(i) for i in np.argwhere(off)[0]]
        return Verdict(
            False,
            f"the probabilities along axis {axis} sum to "
            f"{float(sums[tuple(index)]):.6g} at {index}, not 1 "
            f"({int(np.sum(off))} of {np.size(sums)} do not sum to 1)",
            where=index,
        )
    return closeness(expected_array, got_array, rtol, data_scaled_atol(expected_array, atol))


COMPARATORS = {
    "allclose": compare_allclose,
    "exact": compare_exact,
    "sign_per_column": compare_sign_per_column,
    "sign_per_row": compare_sign_per_row,
    "permutation": compare_permutation,
    "set": compare_set,
    "subspace": compare_subspace,
    "residual": compare_residual,
    "least_squares": compare_least_squares,
    "probability": compare_probability,
}


def check_compare_options(spec: dict) -> None:
    """Refuse, before any case runs, options that a method does not understand or gets wrong."""
    method = spec.get("method", "allclose")
    rule = spec.get("sign_rule")
    if rule is not None:
        if method not in ("sign_per_column", "sign_per_row"):
            raise CompareSpecError(f"sign_rule applies to sign_per_column or sign_per_row, not {method}")
        if rule not in SIGN_RULES:
            raise CompareSpecError(f"unknown sign_rule {rule!r}; known: {', '.join(SIGN_RULES)}")
    partner = spec.get("same_signs_as")
    if partner is not None:
        if method not in ("sign_per_column", "sign_per_row"):
            raise CompareSpecError(f"same_signs_as applies to sign_per_column or sign_per_row, not {method}")
        if not isinstance(partner, int) or isinstance(partner, bool) or partner < 1:
            raise CompareSpecError("same_signs_as is the number (from 1) of another value of the tuple result")
    if method == "residual" and spec.get("system", "linear") not in ("linear", "least_squares"):
        raise CompareSpecError(f"residual: unknown system {spec.get('system')!r} (linear or least_squares)")
    try:
        _tolerances(spec)
        float(spec.get("factor", 1.0))
    except (CompareSpecError, TypeError, ValueError):
        raise CompareSpecError("rtol, atol and factor must be numbers") from None
