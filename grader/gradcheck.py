"""Gradient checking for code exercises that implement a gradient, and the link between such
code and the learner's own symbolic derivation of it.

An exercise's `gradient` block names the loss (Python, `loss(...)` with the entry point's
arguments) and the argument the gradient is taken with respect to. When the cases are
prepared, central differences of the loss are computed for every case in a sandboxed run of
their own (the loss is course code, and untrusted like all of it); the learner's run never
sees them. Grading then checks each returned gradient against them, in addition to the
comparison with the reference, so an exercise's reference is itself gradient-checked when
the course is validated.

When the learner has answered the exercise's derivation (a symbolic matrix-calculus
exercise), their expression is evaluated at the same cases by the expression checker and
compared with their code: the result is reported as a case that does not count towards the
score, and says which of the two disagrees with the central differences.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import sandbox
from .results import CaseResult, GradingResult

FD_STEP = 1e-6
RTOL = 1e-5  # central differences in double precision are good to ~1e-9 on smooth losses
DERIVATION_RTOL = 1e-6
DERIVATION_CASE = "your derivation (not scored)"

# Appended to the exercise's loss source and run in the sandbox. Each entry of the variable
# is moved by a step scaled to its size, both ways; the loss is evaluated at copies only.
HARNESS = """

def __central_differences__(position, step, args, kwargs):
    import numpy as _np

    args = list(args)
    point = _np.array(args[position], dtype=float)
    scalar = point.ndim == 0
    gradient = _np.zeros_like(point)
    for index in _np.ndindex(point.shape):
        h = step * max(1.0, abs(float(point[index])))
        values = []
        for sign in (1.0, -1.0):
            moved = point.copy()
            moved[index] += sign * h
            args[position] = float(moved) if scalar else moved
            values.append(float(loss(*args, **kwargs)))
        gradient[index] = (values[0] - values[1]) / (2.0 * h)
    args[position] = float(point) if scalar else point
    return float(loss(*args, **kwargs)), (float(gradient) if scalar else gradient)
"""


def position_of(gradient: dict) -> int:
    return list(gradient["arguments"]).index(gradient["wrt"])


def central_differences(gradient: dict, calls: list[tuple[list, dict]], limits: sandbox.Limits) -> list[dict]:
    """For each call: {"loss": L, "gradient": ∂L/∂wrt} by central differences, in the sandbox."""
    position, step = position_of(gradient), float(gradient.get("step", FD_STEP))
    outcome = sandbox.run_calls(
        gradient["loss"] + HARNESS,
        "__central_differences__",
        [([position, step, list(args), dict(kwargs)], {}) for args, kwargs in calls],
        limits,
    )
    if outcome.status != "ok":
        raise sandbox.SandboxError(f"The exercise's loss did not finish: {outcome.message}")
    response = outcome.response
    if not response.get("ok"):
        raise sandbox.SandboxError(f"The exercise's loss failed to load: {response.get('error')}")
    values = []
    for result in response["results"]:
        if not result.get("ok"):
            raise sandbox.SandboxError(f"The exercise's loss failed: {result.get('error')}")
        loss, numeric = result["value"]
        values.append({"loss": float(loss), "gradient": numeric})
    return values


def gradient_of(value: Any, gradient: dict) -> Any:
    """The gradient inside what the function returned (an element of a tuple, when `output` says)."""
    output = gradient.get("output")
    if output is None:
        return value
    if isinstance(value, tuple | list) and len(value) > output:
        return value[output]
    return None


def _as_array(value) -> np.ndarray | None:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array


def gradient_error(got, numeric, loss: float) -> tuple[bool, float]:
    """(passes, relative error) of a gradient against central differences: the usual
    ‖g − ĝ‖ / max(‖g‖, ‖ĝ‖), with a floor for a gradient that is (nearly) zero."""
    got_array, numeric_array = _as_array(got), np.asarray(numeric, dtype=float)
    if got_array is None or got_array.shape != numeric_array.shape or not np.all(np.isfinite(got_array)):
        return False, math.inf
    difference = float(np.linalg.norm(got_array - numeric_array))
    size = max(float(np.linalg.norm(got_array)), float(np.linalg.norm(numeric_array)))
    floor = 1e-7 * max(1.0, abs(loss)) * math.sqrt(max(1, numeric_array.size))
    relative = difference / size if size > 0 else 0.0
    return difference <= RTOL * size + floor, relative


def check_cases(gradient: dict, cases: list, results: list, feedback: list[CaseResult]) -> None:
    """Add the gradient check to each case's verdict: a case passes only if its gradient also
    agrees with central differences of the loss."""
    for case, result, verdict in zip(cases, results, feedback, strict=True):
        if case.gradient is None or not isinstance(result, dict) or not result.get("ok"):
            continue
        got = gradient_of(result.get("value"), gradient)
        passed, relative = gradient_error(got, case.gradient["gradient"], case.gradient["loss"])
        if passed:
            note = f"Gradient check: it agrees with central differences of the loss (relative error {relative:.1e})."
        else:
            shown = (
                "is not an array of the right shape"
                if math.isinf(relative)
                else f"differs from central differences of the loss (relative error {relative:.2g})"
            )
            note = f"Gradient check failed: your gradient {shown}."
            verdict.passed = False
        verdict.message = f"{verdict.message} {note}".strip()


def compare_with_derivation(
    gradient: dict, cases: list, results: list, derivation: dict, result: GradingResult
) -> None:
    """Evaluate the learner's derivation at the cases and report, as a case that does not
    count, whether it agrees with their code (and which one the central differences back)."""
    from .symbolic import pool

    text = str(derivation.get("answer") or "")
    if not text.strip():
        return
    names = list(gradient["arguments"])
    declared = set(gradient["matrices"]) | set(gradient.get("scalars") or [])
    points = [
        {
            name: np.asarray(value, dtype=float).tolist()
            for name, value in zip(names, case.args, strict=False)
            if name in declared
        }
        for case in cases
    ]
    reply = pool.run(
        {
            "op": "evaluate",
            "spec": {"matrices": gradient["matrices"], "scalars": gradient.get("scalars") or []},
            "answer": text,
            "points": points,
        }
    )
    where = f"your answer to '{derivation.get('title') or derivation.get('slug')}'"
    if reply.get("status") != "ok":
        return  # the checker is unavailable or the text too complex: the code's own grade stands
    if not reply.get("readable"):
        message = f"We could not read {where} ({(reply.get('error') or {}).get('message', '')}), so it was not compared with your code."
        result.cases.append(CaseResult(name=DERIVATION_CASE, passed=False, message=message))
        return
    shown = f"`{reply.get('parsed')}`"
    declared = gradient["matrices"][gradient["wrt"]]
    declared = declared.get("shape") if isinstance(declared, dict) else declared
    wanted = "×".join(str(part) for part in declared)
    if reply.get("shape") != wanted:
        message = (
            f"Your derivation {shown} ({where}) is {reply.get('shape')}, but a gradient with respect to "
            f"{gradient['wrt']} has the shape of {gradient['wrt']}, {wanted}; it was not compared with your code."
        )
        result.cases.append(CaseResult(name=DERIVATION_CASE, passed=False, message=message))
        return
    disagreements = []
    for case, run, evaluated in zip(cases, results, reply.get("values") or [], strict=False):
        code = gradient_of(run.get("value"), gradient) if isinstance(run, dict) and run.get("ok") else None
        code_array = _as_array(code) if code is not None else None
        if code_array is None or not evaluated.get("ok"):
            disagreements.append((case, None, code_array))
            continue
        derived = np.asarray(evaluated["value"], dtype=float)
        if derived.size != code_array.size:
            disagreements.append((case, derived, code_array))
            continue
        derived = derived.reshape(code_array.shape)
        scale = max(1.0, float(np.max(np.abs(code_array))) if code_array.size else 1.0)
        if float(np.max(np.abs(derived - code_array))) > DERIVATION_RTOL * scale:
            disagreements.append((case, derived, code_array))
    if not disagreements:
        message = f"Your code and your derivation {shown} ({where}) agree on all {len(cases)} cases."
        result.cases.append(CaseResult(name=DERIVATION_CASE, passed=True, message=message))
        return
    case, derived, code = disagreements[0]
    message = f"Your code and your derivation {shown} ({where}) disagree on {len(disagreements)} of {len(cases)} cases, first on '{case.name}'."
    if derived is not None and case.gradient is not None:
        if derived.size != np.size(case.gradient["gradient"]):
            message += f" The derivation's shape is {reply.get('shape')}, which does not fit the gradient."
        else:
            derivation_right, _ = gradient_error(
                derived.reshape(np.shape(case.gradient["gradient"])), case.gradient["gradient"], case.gradient["loss"]
            )
            code_right = code is not None and gradient_error(code, case.gradient["gradient"], case.gradient["loss"])[0]
            if code_right and not derivation_right:
                message += " Central differences of the loss side with your code: revisit the derivation."
            elif derivation_right and not code_right:
                message += (
                    " Central differences of the loss side with your derivation: your code does not implement it yet."
                )
            elif not derivation_right:
                message += " Neither agrees with central differences of the loss."
    elif derived is None:
        message += " The derivation has no value there (or the code returned none)."
    result.cases.append(CaseResult(name=DERIVATION_CASE, passed=False, message=message))
