"""Name the common slip behind a failed case: transposed, wrong axis, constant factor, sign,
accidental broadcasting, a stray axis of length 1, and where a NaN or inf came from (an
overflow, 0/0, inf - inf, log 0, a division by zero), read from the floating-point events the
sandbox logged during the learner's call.

Runs on the trusted side on plain data only: the reference's value, the learner's value (both
already decoded from the wire) and the case's inputs. Each check re-computes what the slip
would have produced and says so only when that matches the learner's value, so a diagnosis
is a finding, not a guess. Two kinds: a *fact* about this result (the values are right but the
shape is not; NumPy reported 0/0 while the result has NaN) stands on its own; an *inferred*
slip (transposed, wrong axis, sign, factor, broadcast) is shown only when the same slip, with
the same `key`, explains every failing case of the submission (engine.py applies that rule),
so a coincidence on one small case says nothing. The tag is stored on the submission
(`Submission.diagnoses`) for instructors' reports; the message goes into the learner's feedback.
"""

from __future__ import annotations

import re
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
    "zero-over-zero",
    "inf-minus-inf",
    "zero-times-inf",
    "log-of-zero",
    "division-by-zero",
    "invalid-operation",
)

REDUCTIONS = {
    "sum": np.sum,
    "mean": np.mean,
    "max": np.max,
    "min": np.min,
    "std": np.std,
    "var": np.var,
    "sample std": lambda a, axis, keepdims: np.std(a, axis=axis, ddof=1, keepdims=keepdims),
    "sample variance": lambda a, axis, keepdims: np.var(a, axis=axis, ddof=1, keepdims=keepdims),
    "argmax": np.argmax,
    "argmin": np.argmin,
    "norm": np.linalg.norm,
}


@dataclass(frozen=True)
class Diagnosis:
    tag: str
    message: str
    key: str = ""  # what must be the same on every failing case for an inferred slip to be shown
    factual: bool = False  # a fact about this one result, shown whatever the other cases show


def diagnose(expected: Any, got: Any, context: dict | None = None) -> Diagnosis | None:
    """The first slip that explains `got`, or None. `context` holds the case's `args` and
    `kwargs`, and the `fp_events` NumPy logged during the call."""
    exp, out = as_numeric(expected), as_numeric(got)
    if exp is None or out is None or exp.size == 0 or exp.size > 1_000_000 or out.size > 1_000_000:
        return None
    found = _nan_origin(exp, out, list((context or {}).get("fp_events") or []))
    if found:
        return found
    inputs = _array_inputs(context or {})
    # Recomputing slips on the learner's values divides by zeros and reduces empty inputs by
    # design; a warning there says nothing about the learner's answer.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for check in (_broadcast, _stray_axis, _transposed, _wrong_axis, _sign_flipped, _constant_factor):
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


# NumPy's message for a floating-point event -> (tag, what happened, what to do). The first
# event logged in the call that appears here is taken as the origin: an overflow that later
# turns into inf - inf is reported as the overflow.
ORIGINS = (
    (r"overflow encountered in (?:scalar )?(\w+)", "overflow",
     "an intermediate value overflowed to inf", "shift by the maximum, exponentiate only non-positive numbers, or work with logarithms"),
    (r"divide by zero encountered in (?:scalar )?log", "log-of-zero",
     "a logarithm of 0 gave -inf", "stay in log space (log-sum-exp), or keep the argument away from 0 where the statement says how"),
    (r"invalid value encountered in (?:scalar )?(?:true_)?divide", "zero-over-zero",
     "0/0 (or inf/inf) gave NaN", "a denominator was 0: an all-zero row or vector, a zero pivot, or terms that all underflowed; handle that case as the statement defines it"),
    (r"invalid value encountered in (?:scalar )?(?:subtract|add)", "inf-minus-inf",
     "inf - inf gave NaN", "an earlier step produced an infinity (often exp of a large number); keep every intermediate value finite"),
    (r"invalid value encountered in (?:scalar )?multiply", "zero-times-inf",
     "0 × inf gave NaN", "an earlier step produced an infinity or a log of 0; keep every intermediate value finite"),
    (r"divide by zero encountered in (?:scalar )?(?:true_)?divide", "division-by-zero",
     "a division by zero gave inf", "a denominator was 0: an all-zero row or vector, a zero pivot, or a zero norm; handle that case as the statement defines it"),
    (r"invalid value encountered in (?:scalar )?(\w+)", "invalid-operation",
     "an invalid operation gave NaN", "a square root or logarithm of a negative number, or arccos of a value beyond ±1 after rounding"),
)  # fmt: skip


def _nan_origin(exp, out, events: list[str]) -> Diagnosis | None:
    """Where the NaN or inf in the learner's result came from, when NumPy logged it."""
    if exp.shape != out.shape or not events:
        return None
    broken = ~np.isfinite(out) & np.isfinite(exp)
    if not broken.any():
        return None
    what = "NaN" if np.isnan(out[broken]).any() else "an infinity"
    for event in events:
        for pattern, tag, happened, advice in ORIGINS:
            if re.match(pattern, str(event)):
                return Diagnosis(
                    tag,
                    f"Your result has {what} in {int(broken.sum())} place(s) where the answer is finite; in your code, "
                    f"{happened} (NumPy: {event}). {advice[0].upper()}{advice[1:]}.",
                    key=tag,
                    factual=True,
                )
    return None


def _broadcast(exp, out, inputs) -> Diagnosis | None:
    if exp.ndim == 1 and out.ndim == 2 and out.shape == (exp.shape[0], exp.shape[0]) and exp.shape[0] > 1:
        return Diagnosis(
            "broadcast",
            f"Expected a vector of shape {exp.shape}, got a matrix of shape {out.shape}: an "
            "operation broadcast an (n,) array against an (n, 1) one. Check the shapes of the "
            "operands (keepdims, reshape, or [:, None]).",
            key="broadcast",
        )
    return None


def _stray_axis(exp, out, inputs) -> Diagnosis | None:
    # Only a change in the number of axes: (3, 1) against (1, 3) is a transpose, not a stray axis.
    if exp.ndim == out.ndim or exp.size != out.size or np.squeeze(exp).shape != np.squeeze(out).shape:
        return None
    if not _close(out.reshape(exp.shape), exp):
        return None
    if out.ndim == 0:
        advice = (
            "you returned a single number where an array is expected; keep the axis (keepdims=True, or np.array([...]))"
        )
    elif exp.ndim == 0:
        advice = "a single number is expected; return the number itself (`.item()`, or index the one entry)"
    elif out.ndim < exp.ndim:
        advice = "an axis of length 1 is missing (keepdims=True, or [:, None])"
    else:
        advice = "an extra axis of length 1 (drop keepdims, or squeeze that axis)"
    got_text = "a single number" if out.ndim == 0 else f"shape {out.shape}"
    exp_text = "a single number" if exp.ndim == 0 else f"shape {exp.shape}"
    return Diagnosis(
        "stray-axis",
        f"The values are right but the result is {got_text}, not {exp_text}: {advice}.",
        "stray-axis",
        factual=True,
    )


def _transposed(exp, out, inputs) -> Diagnosis | None:
    flipped = exp.ndim == 2 and out.ndim == 2 and out.shape == exp.shape[::-1]
    # A 2 x 2 result is too small to tell a transpose from a coincidence (a mean subtracted
    # along the other axis of a 2 x 2, without keepdims, often looks like one).
    if flipped and exp.shape != (2, 2) and not _close(exp, exp.T) and _close(out.T, exp):
        return Diagnosis("transposed", "Your result is the transpose of the expected one.", "transposed")
    return None


def _wrong_axis(exp, out, inputs) -> Diagnosis | None:
    for array in inputs:
        if array.ndim < 2:
            continue
        for name, reduce in REDUCTIONS.items():
            if name in ("argmax", "argmin") and (exp.size < 3 or len(np.unique(out)) < 2):
                continue  # a few small indices match some argmax by chance
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
                                f"wrong-axis {name} {wrong} {right}",
                            )
        normalised = _normalised_axis(exp)
        if normalised is not None and exp.shape == out.shape == array.shape:
            other = _normalised_axis(out)
            if other is not None and other != normalised:
                return Diagnosis(
                    "wrong-axis",
                    f"Your result is normalised along axis {other}; it should be along axis {normalised}.",
                    f"wrong-axis normalised {other} {normalised}",
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
    # Values indistinguishable from zero (a p-value of 1e-23 returned as 0) have no sign to flip.
    if exp.shape == out.shape and not _close(exp, np.zeros_like(exp)) and _close(out, -exp):
        return Diagnosis("sign-flipped", "Your result has the opposite sign of the expected one.", "sign-flipped")
    return None


def _constant_factor(exp, out, inputs) -> Diagnosis | None:
    if exp.shape != out.shape or not np.isfinite(out).all() or not np.isfinite(exp).all():
        return None
    norm = float(np.vdot(exp, exp).real)
    if norm == 0:
        return None
    factor = float(np.vdot(exp, out).real / norm)
    # _close: the ratio must be the same for every entry, or there is no constant factor at all.
    if factor == 0 or abs(factor - 1) < 1e-6 or not _close(out, factor * exp):
        return None
    named = _name_factor(factor, inputs, exact_fraction=exp.size >= 2)
    if named is None and exp.size < 2:
        return None  # any wrong number is a multiple of a right one: say so only when it is telling
    formula, text = named if named else (f"{factor:.6g}", f"{factor:.6g}")
    if formula in ("n/(n - 1)", "(n - 1)/n"):
        why = "dividing by n where n - 1 is meant, or the other way round"
    elif formula in ("n", "1/n"):
        why = "a sum where a mean is meant, or the other way round"
    elif formula in ("2", "1/2", "-2", "-1/2"):
        why = "a factor 2 missing or extra (the 1/2 of a squared loss, or of a derivative)"
    else:
        why = "a constant missing or extra, such as a forgotten normalisation"
    return Diagnosis(
        "constant-factor", f"Your result is the expected one times {text}: {why}.", f"constant-factor {formula}"
    )


def _name_factor(factor: float, inputs: list[np.ndarray], *, exact_fraction: bool = True) -> tuple[str, str] | None:
    """(formula, text) naming the factor: ("n/(n - 1)", "n/(n - 1) = 4/3"), or None. The formula
    is what must agree across cases of different sizes."""
    sizes = sorted({n for array in inputs for n in array.shape if n > 1})
    candidates: dict[str, tuple[str, float]] = {
        "2": ("2", 2.0),
        "1/2": ("1/2", 0.5),
        "-2": ("-2", -2.0),
        "-1/2": ("-1/2", -0.5),
    }
    for n in sizes:
        candidates |= {
            f"n = {n}": ("n", n),
            f"1/n = 1/{n}": ("1/n", 1 / n),
            f"n/(n - 1) = {n}/{n - 1}": ("n/(n - 1)", n / (n - 1)),
            f"(n - 1)/n = {n - 1}/{n}": ("(n - 1)/n", (n - 1) / n),
        }
    for text, (formula, value) in candidates.items():
        if abs(factor - value) <= 1e-6 * abs(value):
            return formula, text
    if not exact_fraction:
        return None
    fraction = Fraction(factor).limit_denominator(12)
    if fraction.denominator > 1 and abs(float(fraction) - factor) <= 1e-9 * abs(factor):
        return str(fraction), str(fraction)
    return None
