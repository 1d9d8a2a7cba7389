"""The grading sandbox: untrusted code (learners' answers, and instructors' references and
case generators too) runs only through this package, in a separate process under limits.

The trusted side sends a request and gets back plain data (see `wire`); it never imports,
unpickles or evaluates anything the sandbox produced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .runner import ADMISSION, Limits, RunOutcome, SandboxUnavailable, active_layers, isolation, run
from .wire import WireError

__all__ = [
    "Budget",
    "Limits",
    "RunOutcome",
    "SandboxError",
    "SandboxUnavailable",
    "WireError",
    "active_layers",
    "budget_for",
    "call",
    "generate_cases",
    "isolation",
    "limits_for",
    "run",
    "run_calls",
    "run_limits",
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


@dataclass(frozen=True)
class Budget:
    """The CPU and wall-clock time one case (or loading the answer) may take."""

    cpu_seconds: float
    wall_seconds: float


def budget_for(reference_cpu: float | None, limits: Limits) -> Budget:
    """A case's budget from the reference's CPU time on it: `GRADING_CPU_FACTOR` times that,
    at least `GRADING_CPU_FLOOR`, at most the exercise's CPU limit. Without a measurement
    (cases prepared before budgets existed) the exercise's limit applies."""
    cap = limits.cpu_seconds
    if reference_cpu is None:
        cpu = cap
    else:
        cpu = min(cap, max(settings.GRADING_CPU_FLOOR, settings.GRADING_CPU_FACTOR * reference_cpu))
    cpu = round(cpu, 2)
    # Waiting is allowed a few times the CPU budget, since a case that computes may share its
    # core for a moment; a case that only sleeps is stopped there.
    return Budget(cpu, round(min(limits.wall_seconds, max(2.0, 4 * cpu)), 2))


def run_limits(limits: Limits, budgets: list[Budget], load: Budget) -> Limits:
    """The whole run's limits: room for every case's budget, within the exercise's limits.
    They only matter when the per-case timers are defeated (a loop that swallows them)."""
    cpu = load.cpu_seconds + sum(budget.cpu_seconds for budget in budgets) + 0.25
    wall = load.wall_seconds + sum(budget.wall_seconds for budget in budgets) + 1
    return Limits(
        cpu_seconds=min(limits.cpu_seconds, math.ceil(cpu)),
        wall_seconds=min(limits.wall_seconds, wall),
        memory_mb=limits.memory_mb,
        output_bytes=limits.output_bytes,
    )


def run_calls(
    source: str,
    entry_point: str,
    calls: list[tuple[list, dict]],
    limits: Limits,
    *,
    budgets: list[Budget] | None = None,
    load: Budget | None = None,
    contract: dict | None = None,
) -> RunOutcome:
    """Call `entry_point` once per (args, kwargs); each call within its budget, if given, and
    under the exercise's `contract` (inputs unchanged, a floating-point policy), if any."""
    request = {
        "mode": "call",
        "source": source,
        "entry_point": entry_point,
        "calls": [{"args": list(args), "kwargs": dict(kwargs)} for args, kwargs in calls],
        "output_limit": limits.output_bytes,  # printed characters per case, and at load
    }
    if budgets is not None:
        request["case_limits"] = [(budget.cpu_seconds, budget.wall_seconds) for budget in budgets]
    if load is not None:
        request["load_cpu_seconds"], request["load_wall_seconds"] = load.cpu_seconds, load.wall_seconds
    sandboxed = sandbox_contract(contract)
    if sandboxed:
        request["contract"] = sandboxed
    _configure_admission()
    return run(request, limits)


def sandbox_contract(contract: dict | None) -> dict:
    """The parts of an exercise's contract checked inside the sandbox, during the call."""
    contract = contract or {}
    checked = {}
    if contract.get("inputs_unchanged"):
        checked["inputs_unchanged"] = True
    if contract.get("fp_errors"):
        checked["fp_errors"] = list(contract["fp_errors"])
    return checked


_admission_configured = False


def _configure_admission() -> None:
    global _admission_configured
    if not _admission_configured:
        ADMISSION.configure(
            settings.GRADING_CPU_SLOTS, settings.GRADING_RUNS_IN_FLIGHT, settings.GRADING_MEMORY_BUDGET_MB
        )
        _admission_configured = True


def generate_cases(source: str, seed: int, limits: Limits) -> list[dict]:
    """Run an exercise's `cases(rng)` in the sandbox and validate what comes back."""
    _configure_admission()
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
