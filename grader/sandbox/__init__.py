"""The grading sandbox: untrusted code (learners' answers, and instructors' references and
case generators too) runs only through this package, in a separate process under limits.

The trusted side sends a request and gets back plain data (see `wire`); it never imports,
unpickles or evaluates anything the sandbox produced.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .runner import Limits, RunOutcome, SandboxUnavailable, active_layers, isolation, run
from .wire import WireError

__all__ = [
    "Limits",
    "RunOutcome",
    "SandboxError",
    "SandboxUnavailable",
    "WireError",
    "active_layers",
    "call",
    "generate_cases",
    "isolation",
    "limits_for",
    "run",
    "run_calls",
]


class SandboxError(RuntimeError):
    """A run that was expected to succeed (a reference, a case generator) did not."""


def limits_for(overrides: dict[str, Any] | None = None) -> Limits:
    """The platform's default limits, with an exercise's overrides clamped to the global caps."""
    values = dict(settings.GRADING_LIMITS)
    for name, value in (overrides or {}).items():
        if name in values and isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            values[name] = min(value, settings.GRADING_LIMIT_CAPS[name])
    return Limits(**values)


def run_calls(source: str, entry_point: str, calls: list[tuple[list, dict]], limits: Limits) -> RunOutcome:
    request = {
        "mode": "call",
        "source": source,
        "entry_point": entry_point,
        "calls": [{"args": list(args), "kwargs": dict(kwargs)} for args, kwargs in calls],
    }
    return run(request, limits)


def generate_cases(source: str, seed: int, limits: Limits) -> list[dict]:
    """Run an exercise's `cases(rng)` in the sandbox and validate what comes back."""
    outcome = run({"mode": "cases", "source": source, "seed": seed}, limits)
    response = _expect_ok(outcome, "The case generator")
    cases = response.get("cases")
    if not isinstance(cases, list) or not cases:
        raise SandboxError("The case generator produced no cases.")
    checked = []
    for index, case in enumerate(cases):
        if not isinstance(case, dict) or not isinstance(case.get("name"), str):
            raise SandboxError(f"Case {index + 1} must be a dict with a 'name'.")
        args, kwargs = case.get("args", []), case.get("kwargs", {})
        if not isinstance(args, list | tuple) or not isinstance(kwargs, dict):
            raise SandboxError(f"Case {case['name']!r}: 'args' must be a list and 'kwargs' a dict.")
        checked.append(
            {"name": case["name"], "args": list(args), "kwargs": kwargs, "hidden": bool(case.get("hidden", False))}
        )
    return checked


def call(source: str, entry_point: str, *args, limits: Limits | None = None, **kwargs):
    """Call one function in the sandbox and return its value, or raise SandboxError."""
    outcome = run_calls(source, entry_point, [(list(args), kwargs)], limits or limits_for())
    response = _expect_ok(outcome, entry_point)
    (result,) = response["results"]
    if not result.get("ok"):
        raise SandboxError(f"{entry_point} raised {result.get('error')}\n{result.get('traceback', '')}")
    return result["value"]


def _expect_ok(outcome: RunOutcome, what: str) -> dict:
    if outcome.status != "ok":
        raise SandboxError(f"{what} did not finish: {outcome.message}\n{outcome.stderr[-2000:]}")
    response = outcome.response
    if not response.get("ok"):
        raise SandboxError(f"{what} failed: {response.get('error')}\n{response.get('traceback', '')}")
    return response
