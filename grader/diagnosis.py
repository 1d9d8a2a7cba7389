"""Name the common slip behind a failed case: transposed, wrong axis, constant factor, sign,
accidental broadcasting, a stray axis of length 1, overflow.

Runs on the trusted side on plain data only: the reference's value, the learner's value (both
already decoded from the wire) and the case's inputs. Each check re-computes what the slip
would have produced and says so only when that matches the learner's value, so a diagnosis
is a finding, not a guess. The tag is stored on the submission (`Submission.diagnoses`) for
instructors' reports; the message goes into the learner's feedback.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .compare import as_numeric

TAGS = (
    "transposed",
    "wrong-axis",
    "constant-factor",
    "sign-flipped",
    "broadcast",
    "stray-axis",
    "overflow",
)

REDUCTIONS = {
    "sum": np.sum,
    "mean": np.mean,
    "max": np.max,
    "min": np.min,
    "std": np.std,
    "var": np.var,
    "argmax": np.argmax,
    "argmin": np.argmin,
    "norm": np.linalg.norm,
}


@dataclass(frozen=True)
class Diagnosis:
    tag: str
    message: str


def diagnose(expected: Any, got: Any, context: dict | None = None) -> Diagnosis | None:
    """The first slip that explains `got`, or None."""
    exp, out = as_numeric(expected), as_numeric(got)
    if exp is None or out is None or exp.size == 0 or exp.size > 1_000_000 or out.size > 1_000_000:
        return None
    inputs = _array_inputs(context or {})
    # Recomputing slips on the learner's values divides by zeros and reduces empty inputs by
    # design; a warning there says nothing about the learner's answer.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for check in (_overflow, _broadcast, _stray_axis, _transposed, _wrong_axis, _sign_flipped, _constant_factor):
            found = check(exp, out, inputs)
            if found:
                return found
    return None


def _array_inputs(context: dict) -> list[np.ndarray]:
    values = list(context.get("args", [])) + list(dict(context.get("kwargs", {})).values())
    arrays = [as_numeric(value) for value in values]
    return [array for array in arrays if array is not None and array.ndim >= 1 and array.size <= 100_000]


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    finite = np.isfinite(a) & np.isfinite(b)
    if not finite.all():
        return False
    scale = float(np.abs(b).max()) if b.size else 0.0
    return bool(np.allclose(a, b, rtol=1e-5, atol=1e-9 + 1e-9 * scale))


def _overflow(exp, out, inputs) -> Diagnosis | None:
    if exp.shape != out.shape:
        return None
    broken = ~np.isfinite(out) & np.isfinite(exp)
    if not broken.any():
        return None
    what = "NaN" if np.isnan(out[broken]).any() else "inf"
    largest = max((float(np.nanmax(np.abs(a))) for a in inputs if np.isfinite(a).any()), default=0.0)
    hint = f" The inputs reach {largest:.3g};" if largest >= 100 else ""
    return Diagnosis(
        "overflow",
        f"Your result has {what} in {int(broken.sum())} place(s) where the answer is finite.{hint} "
        "an intermediate value probably overflowed (exp of a large number, a product of many "
        "small probabilities, 0/0): rescale, shift by the maximum, or work with logarithms.",
    )


def _broadcast(exp, out, inputs) -> Diagnosis | None:
    if exp.ndim == 1 and out.ndim == 2 and out.shape == (exp.shape[0], exp.shape[0]) and exp.shape[0] > 1:
        return Diagnosis(
            "broadcast",
            f"Expected a vector of shape {exp.shape}, got a matrix of shape {out.shape}: an "
            "operation broadcast an (n,) array against an (n, 1) one. Check the shapes of the "
            "operands (keepdims, reshape, or [:, None]).",
        )
    return None


def _stray_axis(exp, out, inputs) -> Diagnosis | None:
    # Only a change in the number of axes: (3, 1) against (1, 3) is a transpose, not a stray axis.
    if exp.ndim == out.ndim or exp.size != out.size or np.squeeze(exp).shape != np.squeeze(out).shape:
        return None
    if not _close(out.reshape(exp.shape), exp):
        return None
    if out.ndim == 0:
        advice = "you returned a single number where an array is expected; keep the axis (keepdims=True, or np.array([...]))"
    elif exp.ndim == 0:
        advice = "a single number is expected; return the number itself (`.item()`, or index the one entry)"
    elif out.ndim < exp.ndim:
        advice = "an axis of length 1 is missing (keepdims=True, or [:, None])"
    else:
        advice = "an extra axis of length 1 (drop keepdims, or squeeze that axis)"
    got_text = "a single number" if out.ndim == 0 else f"shape {out.shape}"
    exp_text = "a single number" if exp.ndim == 0 else f"shape {exp.shape}"
    return Diagnosis("stray-axis", f"The values are right but the result is {got_text}, not {exp_text}: {advice}.")


def _transposed(exp, out, inputs) -> Diagnosis | None:
    flipped = exp.ndim == 2 and out.ndim == 2 and out.shape == exp.shape[::-1]
    if flipped and not _close(exp, exp.T) and _close(out.T, exp):
        return Diagnosis("transposed", "Your result is the transpose of the expected one.")
    return None


def _wrong_axis(exp, out, inputs) -> Diagnosis | None:
    for array in inputs:
        if array.ndim < 2:
            continue
        for name, reduce in REDUCTIONS.items():
            for right in range(array.ndim):
                for keepdims in (False, True):
                    if not _reduces_to(reduce, array, right, keepdims, exp):
                        continue
                    for wrong in range(array.ndim):
                        if wrong != right and _reduces_to(reduce, array, wrong, keepdims, out):
                            return Diagnosis(
                                "wrong-axis",
                                f"Your result is the {name} over axis {wrong} of the input; the "
                                f"expected one is over axis {right}.",
                            )
        normalised = _normalised_axis(exp)
        if normalised is not None and exp.shape == out.shape == array.shape:
            other = _normalised_axis(out)
            if other is not None and other != normalised:
                return Diagnosis(
                    "wrong-axis",
                    f"Your result is normalised along axis {other}; it should be along axis {normalised}.",
                )
    return None


def _reduces_to(reduce, array, axis, keepdims, target) -> bool:
    try:
        value = reduce(array, axis=axis, keepdims=keepdims)
    except (ValueError, TypeError):
        return False
    return _close(np.asarray(value, dtype=float), target)


def _normalised_axis(values: np.ndarray) -> int | None:
    if values.ndim != 2 or min(values.shape) < 2 or not np.isfinite(values).all():
        return None
    matches = [axis for axis in (0, 1) if np.allclose(values.sum(axis=axis), 1.0, atol=1e-6)]
    return matches[0] if len(matches) == 1 else None


def _sign_flipped(exp, out, inputs) -> Diagnosis | None:
    if exp.shape == out.shape and np.abs(exp).max() > 0 and _close(out, -exp):
        return Diagnosis("sign-flipped", "Your result has the opposite sign of the expected one.")
    return None


def _constant_factor(exp, out, inputs) -> Diagnosis | None:
    if exp.shape != out.shape or not np.isfinite(out).all() or not np.isfinite(exp).all():
        return None
    norm = float(np.vdot(exp, exp).real)
    if norm == 0:
        return None
    factor = float(np.vdot(exp, out).real / norm)
    if factor == 0 or abs(factor - 1) < 1e-6 or not _close(out, factor * exp):
        return None
    named = _name_factor(factor, inputs)
    if named is None and exp.size < 2:
        return None  # any wrong number is a multiple of a right one: say so only when it is telling
    text = f"{factor:.6g}" if named is None else named
    return Diagnosis(
        "constant-factor",
        f"Your result is the expected one times {text}: a missing or extra constant factor "
        "(1/n against 1/(n - 1), a factor 2, a forgotten normalisation).",
    )


def _name_factor(factor: float, inputs: list[np.ndarray]) -> str | None:
    sizes = sorted({n for array in inputs for n in array.shape if n > 1})
    candidates: dict[str, float] = {"2": 2.0, "1/2": 0.5, "-2": -2.0, "-1/2": -0.5}
    for n in sizes:
        candidates |= {
            f"n = {n}": n,
            f"1/n = 1/{n}": 1 / n,
            f"n/(n - 1) = {n}/{n - 1}": n / (n - 1),
            f"(n - 1)/n = {n - 1}/{n}": (n - 1) / n,
        }
    for name, value in candidates.items():
        if abs(factor - value) <= 1e-6 * abs(value):
            return name
    fraction = Fraction(factor).limit_denominator(12)
    if fraction.denominator > 1 and abs(float(fraction) - factor) <= 1e-9 * abs(factor):
        return str(fraction)
    return None
