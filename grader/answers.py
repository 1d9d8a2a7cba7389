"""Numeric and multiple-choice answers. Both are plain data (numbers, indices): they are
read with `json`/`float`, never evaluated, and checked on the trusted side."""

from __future__ import annotations

import json
import math
import re

import numpy as np

from .limits import NUMERIC_MAX_CHARS, NUMERIC_MAX_DEPTH
from .results import CaseResult, GradingResult

MAX_ENTRIES_SHOWN = 8
NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


class NotANumber(ValueError):
    pass


# --- numeric -----------------------------------------------------------------------------------


def bracket_depth(text: str) -> int:
    """How deeply brackets nest in `text`, counted without parsing it: JSON readers recurse
    once per level, so a deep text must be refused before it reaches one."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _cleaned(text: str) -> str:
    cleaned = (
        text.strip().replace("−", "-").replace("–", "-").replace("×10^", "e").replace("x10^", "e").replace("·10^", "e")
    )
    return cleaned.replace(" ", "").replace("\u00a0", "")


def numeric_size_problem(text: str) -> str | None:
    """Why a numeric answer is too big to read (None if it is not): the answer form and the
    checker both ask this."""
    if len(_cleaned(text)) > NUMERIC_MAX_CHARS:
        return f"The answer is too long (at most {NUMERIC_MAX_CHARS:,} characters)."
    if bracket_depth(text) > NUMERIC_MAX_DEPTH:
        return f"The lists nest too deeply (at most {NUMERIC_MAX_DEPTH} levels of brackets)."
    return None


def parse_number_text(text: str):
    """A number (`0.25`, `-1.5e-3`, `2.5×10^-3`, `3/4`, `12%`), or a JSON-style (nested) list
    of numbers for a vector or matrix. Returns a float or a float array."""
    problem = numeric_size_problem(text)
    if problem:
        raise NotANumber(problem)
    cleaned = _cleaned(text)
    if not cleaned:
        raise NotANumber("The answer is empty.")
    if cleaned.startswith("["):
        try:
            value = json.loads(cleaned)
        except json.JSONDecodeError:
            raise NotANumber("Write a list like [1.5, 2, -3], or a matrix like [[1, 2], [3, 4]].") from None
        if not _all_numbers(value):
            raise NotANumber("Every entry of the list must be a number.")
        array = np.asarray(value, dtype=float) if _rectangular(value) else None
        if array is None:
            raise NotANumber("The rows of the matrix have different lengths.")
        return array
    return _one_number(cleaned)


def _one_number(text: str) -> float:
    if text.endswith("%"):
        return _one_number(text[:-1]) / 100
    if text.count("/") == 1:
        numerator, denominator = (_one_number(part) for part in text.split("/"))
        if denominator == 0:
            raise NotANumber("The fraction divides by zero.")
        return numerator / denominator
    if not NUMBER.fullmatch(text):
        raise NotANumber(
            f"{text[:40]!r} is not a number. Write a decimal like 0.25, a fraction like 1/4, or a list like [1, 2]."
        )
    value = float(text)
    if not math.isfinite(value):
        raise NotANumber("The number is too large.")
    return value


def _all_numbers(value) -> bool:
    if isinstance(value, list):
        return all(_all_numbers(item) for item in value)
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _rectangular(value) -> bool:
    try:
        np.asarray(value, dtype=float)
    except ValueError:
        return False
    return True


def _shape_text(shape: tuple) -> str:
    if shape == ():
        return "a single number"
    if len(shape) == 1:
        return f"a list of {shape[0]} numbers"
    return "a " + "x".join(str(n) for n in shape) + " matrix"


def half_unit(values: np.ndarray, *, decimals: int | None = None, sig_figs: int | None = None) -> np.ndarray:
    """Half a unit in the last place the question asks for, per entry: the distance within
    which a correctly rounded answer always lies."""
    if decimals is not None:
        return np.full(np.shape(values), 0.5 * 10.0**-decimals)
    magnitude = np.abs(np.asarray(values, dtype=float))
    exponent = np.floor(np.log10(np.where(magnitude > 0, magnitude, 1.0)))
    return np.where(magnitude > 0, 0.5 * 10.0 ** (exponent - sig_figs + 1), 0.5 * 10.0**-sig_figs)


def precision_of(settings: dict) -> tuple[str, int] | None:
    """("decimals", n) or ("sig_figs", n) when the question states a precision, else None."""
    for name in ("decimals", "sig_figs"):
        if settings.get(name) is not None:
            return name, int(settings[name])
    return None


def grade_numeric(spec: dict, answer: str) -> GradingResult:
    settings = spec["answer"]
    try:
        got = np.asarray(parse_number_text(answer), dtype=float)
    except NotANumber as exc:
        return GradingResult.rejected(str(exc))
    expected = np.asarray(settings["value"], dtype=float)
    if got.shape != expected.shape:
        if got.size == expected.size and got.ndim and expected.ndim and 1 in expected.shape:
            got = got.reshape(expected.shape)  # a column or row vector typed as a flat list
        else:
            return GradingResult.rejected(f"Expected {_shape_text(expected.shape)}, got {_shape_text(got.shape)}.")
    precision = precision_of(settings)
    if precision:
        # A correctly rounded answer is within half a unit of the stated last place; so is any
        # more precise one. The slack covers binary floating point at the boundary (0.125 -> 0.13).
        name, places = precision
        tolerance = half_unit(expected, **{name: places}) * (1 + 1e-9) + 1e-15
        passed = np.abs(got - expected) <= tolerance
        unit = "decimal place" if name == "decimals" else "significant figure"
        miss = f"Not right to {places} {unit}{'s' if places != 1 else ''}."
        allowed = None  # the question states its precision; nothing to add
    else:
        rtol = float(settings.get("rtol", 1e-6) if settings.get("rtol") is not None else 1e-6)
        atol = float(settings.get("atol") or 0)
        passed = np.abs(got - expected) <= atol + rtol * np.abs(expected)
        miss = "Not within the tolerance."
        # The default relative tolerance is negligible beside an absolute one the exercise set.
        allowed = _tolerance_text(rtol if settings.get("rtol") is not None or not atol else 0, atol)
    passed = np.asarray(passed, dtype=bool)

    def missed(got_value: float, expected_value: float) -> str:
        """What a miss may tell: too large or too small, and the tolerance, unless the exercise
        turns them off (`show_direction: false`, `show_tolerance: false`)."""
        parts = []
        if settings.get("show_direction", True) and math.isfinite(got_value):
            parts.append("Too large." if got_value > expected_value else "Too small.")
        else:
            parts.append(miss)
        if allowed and settings.get("show_tolerance", True):
            parts.append(f"An answer counts when it is {allowed}.")
        elif precision and parts[0] != miss:
            parts.append(miss)
        return " ".join(parts)

    if expected.shape == ():
        ok = bool(passed)
        message = "Correct." if ok else missed(float(got), float(expected))
        return _numeric_result([CaseResult(name="answer", passed=ok, message=message, got=f"{float(got):.10g}")])
    wrong = [tuple(int(i) for i in index) for index in np.argwhere(~passed)]
    if not wrong:
        return _numeric_result(
            [CaseResult(name="all entries", passed=True, message=f"All {passed.size} entries are correct.")]
        )
    cases = [
        CaseResult(
            name=f"entry {list(index)}",
            passed=False,
            message=missed(float(got[index]), float(expected[index])),
            got=f"{got[index]:.10g}",
            where=list(index),
        )
        for index in wrong[:MAX_ENTRIES_SHOWN]
    ]
    result = _numeric_result(cases)
    result.message = f"{len(wrong)} of {passed.size} entries {'is' if len(wrong) == 1 else 'are'} wrong."
    return result


def _tolerance_text(rtol: float, atol: float) -> str:
    relative = f"{rtol * 100:.3g}% of the expected value" if rtol else ""
    absolute = f"{atol:g}" if atol else ""
    if relative and absolute:
        return f"within {absolute} plus {relative}"
    if absolute:
        return f"within {absolute} of the expected value"
    return f"within {relative}" if relative else "exactly right"


def _numeric_result(cases: list[CaseResult]) -> GradingResult:
    correct = all(case.passed for case in cases)
    return GradingResult(
        status="graded", score=1.0 if correct else 0.0, message="Correct." if correct else cases[0].message, cases=cases
    )


# --- multiple choice -----------------------------------------------------------------------------


def parse_picked(answer: str, count: int) -> set[int]:
    try:
        picked = json.loads(answer)
    except (json.JSONDecodeError, TypeError):
        raise NotANumber("Pick one of the choices.") from None
    picked = picked if isinstance(picked, list) else [picked]
    if not all(isinstance(index, int) and not isinstance(index, bool) for index in picked):
        raise NotANumber("Pick one of the choices.")
    picked = set(picked)
    if not picked or not picked <= set(range(count)):
        raise NotANumber("Pick one of the choices.")
    return picked


def grade_choice(spec: dict, answer: str) -> GradingResult:
    """All or nothing; each picked choice gets its own feedback, and a missed right choice is
    counted (not named)."""
    choices = spec["choices"]
    try:
        picked = parse_picked(answer, len(choices))
    except NotANumber as exc:
        return GradingResult.rejected(str(exc))
    if not spec.get("multiple") and len(picked) > 1:
        return GradingResult.rejected("Pick only one choice.")
    correct = {index for index, choice in enumerate(choices) if choice.get("correct")}
    cases = []
    for index in sorted(picked):
        right = bool(choices[index].get("correct"))
        default = "Right." if right else "Not right."
        # Named by its text: a quiz shows the choices in its own order, so a number would mislead.
        name = choices[index].get("text") or f"choice {index + 1}"
        cases.append(CaseResult(name=name, passed=right, message=choices[index].get("feedback") or default))
    missing = len(correct - picked)
    if spec.get("multiple") and missing:
        cases.append(
            CaseResult(
                name="Missed",
                passed=False,
                message=f"{missing} correct choice{'s were' if missing != 1 else ' was'} not selected.",
            )
        )
    ok = picked == correct
    if ok:
        message = "Correct."
    elif missing and not (picked - correct):
        message = f"Not quite: {missing} correct choice{'s' if missing != 1 else ''} not selected."
    else:
        message = "Not quite."
    return GradingResult(status="graded", score=1.0 if ok else 0.0, message=message, cases=cases)
