"""The grading engine: turns (exercise spec, answer) into a GradingResult.

It knows nothing of the database: callers pass the exercise version's spec and, for code
exercises, its prepared cases (inputs with the reference's outputs, computed once per
version by `prepare_code_cases`). Every piece of untrusted code runs through `sandbox`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from . import gradcheck, plots, sandbox
from .compare import CompareSpecError, compare
from .diagnosis import diagnose
from .results import CaseResult, GradingResult

log = logging.getLogger(__name__)

# Bumped when what prepared cases hold changes meaning (2: NumPy scalars kept as scalars, and
# the reference run under the exercise's contract); older caches are prepared again.
PREPARED_FORMAT = 2


@dataclass
class PreparedCase:
    name: str
    args: list
    kwargs: dict
    hidden: bool
    expected: Any
    reference_cpu: float | None = None  # the reference's CPU seconds on this case
    gradient: dict | None = None  # for a gradient exercise: the loss and its central differences here
    format: int = 1  # PREPARED_FORMAT when prepared; caches from before it existed read as 1

    def to_wire(self) -> dict:
        return {
            "name": self.name,
            "args": self.args,
            "kwargs": self.kwargs,
            "hidden": self.hidden,
            "expected": self.expected,
            "reference_cpu": self.reference_cpu,
            "gradient": self.gradient,
            "format": self.format,
        }


# Loading an answer may import what it uses: `import scipy.stats` alone costs 1-2 s of CPU
# (preloading SciPy in the fork server instead doubled every run's fork cost).
LOAD_CPU_FLOOR = 2.5


def case_budgets(spec: dict, cases: list[PreparedCase]) -> tuple[list[sandbox.Budget], sandbox.Budget, sandbox.Limits]:
    """Each case's time budget, derived from the reference's time on it; the budget for loading
    the answer; and the run's overall limits."""
    limits = sandbox.limits_for(spec.get("limits"))
    budgets = [sandbox.budget_for(case.reference_cpu, limits) for case in cases]
    longest = max((budget.cpu_seconds for budget in budgets), default=limits.cpu_seconds)
    load = sandbox.Budget(
        min(limits.cpu_seconds, max(LOAD_CPU_FLOOR, longest)),
        min(limits.wall_seconds, max(2 * LOAD_CPU_FLOOR, 4 * longest)),
    )
    return budgets, load, sandbox.run_limits(limits, budgets, load)


def prepare_code_cases(spec: dict, seed: int) -> list[PreparedCase]:
    """Generate the inputs and the reference's outputs, each in a sandboxed run of its own.
    The reference's CPU time per case is kept: the learner's time budgets derive from it."""
    limits = sandbox.limits_for(spec.get("limits"))
    cases = sandbox.generate_cases(spec["cases"], seed, limits)
    calls = [(c["args"], c["kwargs"]) for c in cases]
    outcome = sandbox.run_calls(spec["reference"], spec["entry_point"], calls, limits, contract=spec.get("contract"))
    if outcome.status != "ok":
        raise sandbox.SandboxError(f"The reference solution did not finish: {outcome.message}")
    response = outcome.response
    if not response.get("ok"):
        raise sandbox.SandboxError(f"The reference solution failed to load: {response.get('error')}")
    prepared = []
    for case, result in zip(cases, response["results"], strict=True):
        if not result.get("ok"):
            raise sandbox.SandboxError(f"The reference solution failed on case {case['name']!r}: {result.get('error')}")
        prepared.append(
            PreparedCase(
                case["name"],
                case["args"],
                case["kwargs"],
                case["hidden"],
                result["value"],
                result.get("cpu"),
                format=PREPARED_FORMAT,
            )
        )
    if spec.get("gradient"):
        numeric = gradcheck.central_differences(spec["gradient"], [(c.args, c.kwargs) for c in prepared], limits)
        for case, values in zip(prepared, numeric, strict=True):
            case.gradient = values
    return prepared


def grade(
    kind: str, spec: dict, answer: str, *, cases: list[PreparedCase] | None = None, context: dict | None = None
) -> GradingResult:
    from . import kinds

    if not answer.strip():
        return GradingResult.rejected("The answer is empty.")
    try:
        answer_kind = kinds.get(kind)
    except kinds.UnknownKind:
        return GradingResult.platform_error(f"Unknown exercise kind {kind!r}.")
    return answer_kind.grade(spec, answer, cases=cases, context=context)


# --- code ------------------------------------------------------------------------------


def show(value: Any, limit: int = 600) -> str:
    """A short, readable rendering of a value for feedback."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, threshold=60, edgeitems=3, max_line_width=100)
        text = f"array(shape={value.shape}) {text}" if value.ndim > 1 or value.size > 8 else text
    elif isinstance(value, tuple | list):
        inner = ", ".join(show(item, limit) for item in value[:10])
        more = ", ..." if len(value) > 10 else ""
        text = f"({inner}{more})" if isinstance(value, tuple) else f"[{inner}{more}]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{key!r}: {show(item, limit)}" for key, item in list(value.items())[:10]) + "}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show_call(case: PreparedCase) -> str:
    parts = [show(arg, 300) for arg in case.args] + [f"{key}={show(value, 300)}" for key, value in case.kwargs.items()]
    return ", ".join(parts)


def grade_code(spec: dict, answer: str, cases: list[PreparedCase], context: dict | None = None) -> GradingResult:
    """Run the answer on every case in one sandboxed run and judge each result here.

    Each case runs within its own time budget; the run stops at the first case that runs out
    of time, and the cases before it are still judged. Only the decoded result frames count:
    the run's raw stdout, stderr and exit status only explain a failure, and are shown to
    instructors, never to learners (they could carry a hidden case's input)."""
    budgets, load, limits = case_budgets(spec, cases)
    outcome = sandbox.run_calls(
        answer, spec["entry_point"], [(case.args, case.kwargs) for case in cases], limits, budgets=budgets, load=load,
        contract=spec.get("contract"),
    )  # fmt: skip
    details = {
        "isolation": outcome.layers,
        "time_limits": [budget.cpu_seconds for budget in budgets],
        "raw_output": (outcome.stdout[-2000:] + outcome.stderr[-2000:]).strip(),
    }
    if outcome.status == "sandbox-error":
        result = GradingResult.platform_error(f"The grading sandbox failed: {outcome.message}")
        result.details.update(details)
        return result
    response = outcome.response or {}
    if response.get("stage") == "load":
        return _load_failure(response, load, details, limits)
    if outcome.status == "bad-response":
        return GradingResult.rejected(outcome.message, **details)
    feedback = []
    by_index = {result.get("case"): result for result in outcome.results}
    stopped_at = None
    for index, (case, budget) in enumerate(zip(cases, budgets, strict=True)):
        result = by_index.get(index)
        if stopped_at is not None:
            feedback.append(_not_run(case, cases[stopped_at]))
        elif result is None:
            stopped_at = index
            feedback.append(_stopped_case(case, outcome, budget))
        elif result.get("timeout"):
            stopped_at = index
            feedback.append(_timed_out_case(case, result, budget))
        elif result.get("error_type") == "MemoryError":
            stopped_at = index
            feedback.append(_out_of_memory_case(case, result, limits))
        elif result.get("limit") == "output":
            feedback.append(_too_much_output_case(case, result, limits))
        else:
            try:
                feedback.append(_judge_case(case, result, spec.get("compare"), spec.get("contract")))
            except CompareSpecError as exc:
                return _misconfigured(exc, case, spec, details)
    results = [by_index.get(index) for index in range(len(cases))]
    try:
        _diagnose_failures(cases, results, feedback, spec.get("compare"))
    except CompareSpecError as exc:
        return _misconfigured(exc, None, spec, details)
    gradient = spec.get("gradient")
    if gradient:
        gradcheck.check_cases(gradient, cases, results, feedback)
    result = GradingResult.from_cases(feedback, stdout=outcome.output[-4000:], **details)
    result.returned = plots.keep_for_plots(spec, cases, by_index)  # drawn later, when a page asks
    if stopped_at is not None:
        stopped = cases[stopped_at]
        which = "a hidden case" if stopped.hidden else f"case {stopped.name!r}"
        result.message += f" The run stopped at {which}: {feedback[stopped_at].message}"
    derivation = (context or {}).get("derivation")
    if gradient and gradient.get("matrices") and derivation:
        gradcheck.compare_with_derivation(gradient, cases, results, derivation, result)
    return result


def _misconfigured(exc: CompareSpecError, case: PreparedCase | None, spec: dict, details: dict) -> GradingResult:
    """The exercise's fault, not the learner's: a platform error, which never counts."""
    where = f" on case {case.name!r}" if case else ""
    log.exception("Misconfigured comparison%s", where, extra={"entry_point": spec.get("entry_point")})
    error = GradingResult.platform_error(f"The exercise's comparison is misconfigured: {exc}")
    error.details.update(details)
    return error


def _load_failure(response: dict, load: sandbox.Budget, details: dict, limits: sandbox.Limits) -> GradingResult:
    if response.get("limit") == "output":
        message = f"Output limit exceeded: your code's top level printed more than {_kilobytes(limits.output_bytes)} before any case ran."
        result = GradingResult.rejected(message, **details)
    elif response.get("timeout"):
        limit = load.cpu_seconds if response["timeout"] == "cpu" else load.wall_seconds
        kind = "CPU" if response["timeout"] == "cpu" else "wall-clock"
        message = f"Your code's top level ran out of time ({limit:g} s of {kind} time) before any case ran."
        result = GradingResult.rejected(message, **details)
    else:
        result = GradingResult.rejected(f"Your code could not run: {response.get('error')}", **details)
        result.details["traceback"] = str(response.get("traceback", ""))[-4000:]
    result.stdout = str(response.get("output", ""))[-4000:]
    return result


def _timed_out_case(case: PreparedCase, result: dict, budget: sandbox.Budget) -> CaseResult:
    if result.get("timeout") == "wall":
        message = f"Time limit exceeded: more than {budget.wall_seconds:g} s (wall-clock) on this case."
    else:
        message = f"Time limit exceeded: more than {budget.cpu_seconds:g} s of CPU time on this case."
    return CaseResult(
        name=case.name, passed=False, hidden=case.hidden, input=show_call(case), message=message,
        output=result.get("output") or None, stopped="time",
    )  # fmt: skip


def _kilobytes(count: int) -> str:
    return f"{count / 1000:g} KB" if count >= 1000 else f"{count} characters"


def _too_much_output_case(case: PreparedCase, result: dict, limits: sandbox.Limits) -> CaseResult:
    return CaseResult(
        name=case.name, passed=False, hidden=case.hidden, input=show_call(case),
        message=f"Output limit exceeded: this case printed more than {_kilobytes(limits.output_bytes)}, so it was stopped. A print inside a loop is the usual cause.",
        output=result.get("output") or None, stopped="output",
    )  # fmt: skip


def _out_of_memory_case(case: PreparedCase, result: dict, limits: sandbox.Limits) -> CaseResult:
    return CaseResult(
        name=case.name, passed=False, hidden=case.hidden, input=show_call(case),
        message=f"Memory limit exceeded on this case: your code needed more than {limits.memory_mb} MB.",
        output=result.get("output") or None, error_type="MemoryError", line=result.get("line"), stopped="memory",
    )  # fmt: skip


def _stopped_case(case: PreparedCase, outcome: sandbox.RunOutcome, budget: sandbox.Budget) -> CaseResult:
    """The case that was running when the run was stopped from outside (rlimit, deadline, memory)."""
    return CaseResult(
        name=case.name, passed=False, hidden=case.hidden, input=show_call(case),
        message=_stopped_message(outcome, budget, case), stopped="time" if outcome.status == "timeout" else "crash",
    )  # fmt: skip


def _stopped_message(outcome: sandbox.RunOutcome, budget: sandbox.Budget, case: PreparedCase) -> str:
    if outcome.status == "timeout" or case.hidden:
        return outcome.message
    return f"{outcome.message} (on case {case.name!r})"


def _not_run(case: PreparedCase, stopped: PreparedCase) -> CaseResult:
    which = "a hidden case" if stopped.hidden else f"case {stopped.name!r}"
    return CaseResult(
        name=case.name,
        passed=False,
        hidden=case.hidden,
        message=f"Not run: the run stopped at {which}.",
        stopped="skipped",
    )


FP_TEXT = {
    "overflow": "an overflow (a result too large for a float, such as exp of a large number)",
    "invalid": "an invalid operation (0/0, inf - inf, or a logarithm or square root of a negative number)",
    "divide": "a division by zero (including log(0))",
    "underflow": "an underflow",
}


def _judge_case(case: PreparedCase, result: Any, compare_spec, contract: dict | None = None) -> CaseResult:
    feedback = CaseResult(
        name=case.name, passed=False, hidden=case.hidden, input=show_call(case), expected=show(case.expected)
    )
    if not isinstance(result, dict) or not result.get("ok"):
        error = result.get("error", "no result") if isinstance(result, dict) else "no result"
        feedback.message = f"Your function raised {error}"
        feedback.traceback = (result.get("traceback") if isinstance(result, dict) else None) or None
        if isinstance(result, dict):
            feedback.output = result.get("output") or None
            feedback.error_type = result.get("error_type") or None
            feedback.line = result.get("line")
            _broken_contract(feedback, result)
        return feedback
    got = result.get("value")
    feedback.got = show(got)
    feedback.output = result.get("output") or None
    context = {"args": case.args, "kwargs": case.kwargs}
    verdict = compare(case.expected, got, compare_spec, context=context)  # CompareSpecError: the caller's
    feedback.passed = verdict.passed
    feedback.message = verdict.message or "Correct."
    feedback.max_error = verdict.max_error
    feedback.where = verdict.where
    if not verdict.passed:
        return feedback  # diagnosed by _diagnose_failures, which sees every case
    wrong_kind = dtype_problem(got, (contract or {}).get("dtype"))
    if wrong_kind:
        feedback.passed, feedback.contract, feedback.message = False, "dtype", wrong_kind
    return feedback


def _broken_contract(feedback: CaseResult, result: dict) -> None:
    """The message of a case that broke the statement's contract inside the sandbox. It names
    the rule and the argument or operation, never the case's data, so a hidden case shows it."""
    if result.get("contract") == "fp_errors":
        kind = result.get("fp_error", "invalid")
        line = f" on line {result['line']}" if result.get("line") else ""
        numpy_says = str(result.get("error", "")).removeprefix("FloatingPointError: ")[:120]
        feedback.contract = "fp_errors"
        feedback.diagnosis = "overflow" if kind == "overflow" else None
        feedback.message = (
            f"Floating-point {kind} in your code{line} ({numpy_says}): this exercise requires a computation "
            f"in which {FP_TEXT.get(kind, kind)} never happens, even on extreme inputs. Rewrite the formula "
            "so that no intermediate value leaves the range of a float (shift by the maximum, use exp of "
            "non-positive numbers only, or work with logarithms)."
        )
    elif result.get("contract") == "inputs_unchanged":
        name = result.get("argument", "?")
        feedback.contract = "inputs_unchanged"
        feedback.message = (
            f"Your function modified its argument `{name}`; the statement says the inputs must not "
            f"be changed. Work on a copy (`{name} = {name}.copy()`, or `np.array({name}, dtype=float)`) or use "
            "operations that return new arrays instead of assigning into the input."
        )


# An integer stands for a float (as in Python's numeric tower): a determinant of 0 returned as
# `0` is right. The reverse is the mistake a contract exists to catch.
DTYPE_KINDS = {"integer": "iu", "bool": "b", "float": "fiu"}
DTYPE_TEXT = {"integer": "integers", "bool": "booleans (True/False)", "float": "floating-point numbers"}


def dtype_problem(got: Any, declared) -> str | None:
    """Why `got` is not of the kind the statement's contract declares, or None. A tuple result
    declares one kind per item (None for any)."""
    if declared is None:
        return None
    if isinstance(declared, list):
        if not isinstance(got, tuple | list) or len(got) != len(declared):
            return None  # the comparison already judged the structure
        for index, (item, kind) in enumerate(zip(got, declared, strict=True)):
            problem = dtype_problem(item, kind)
            if problem:
                return f"value {index + 1} of the result: {problem}"
        return None
    kind = _value_kind(got)
    if kind is None or kind in DTYPE_KINDS[declared]:
        return None
    name = np.asarray(got).dtype if isinstance(got, np.ndarray | np.generic) else type(got).__name__
    advice = {"integer": " (`.astype(int)`)", "bool": " (a comparison such as `x > 0`)", "float": " (`.astype(float)`)"}
    return f"the statement asks for {DTYPE_TEXT[declared]}; your result has dtype {name}{advice[declared]}."


def _value_kind(value: Any) -> str | None:
    if isinstance(value, bool | np.bool_):
        return "b"
    if isinstance(value, int):
        return "i"
    if isinstance(value, float):
        return "f"
    if isinstance(value, complex):
        return "c"
    if isinstance(value, np.ndarray) and value.size == 0:
        return None  # no entries to be of a kind: `np.array([])` is float64 by accident, not by choice
    if isinstance(value, np.ndarray | np.generic):
        return value.dtype.kind
    if isinstance(value, list | tuple) and value:
        kinds = {_value_kind(item) for item in value}
        return kinds.pop() if len(kinds) == 1 else ("f" if kinds <= {"i", "f"} else None)
    return None


def _diagnose_failures(cases: list[PreparedCase], results: list, feedback: list[CaseResult], compare_spec) -> None:
    """Add a diagnosis to the failing cases whose values were compared. A fact about one result
    (where its NaN came from, right values in the wrong shape) is added to that case; an
    inferred slip only when the same slip explains every failing case, so that a coincidence
    on one small case is never presented as the learner's mistake."""
    found: dict[int, object] = {}
    unexplained = False
    for index, (case, result, case_feedback) in enumerate(zip(cases, results, feedback, strict=True)):
        if case_feedback.passed:
            continue
        if case_feedback.contract or not (isinstance(result, dict) and result.get("ok")):
            unexplained = True  # raised, stopped, or broke the contract: no value to explain
            continue
        events = result.get("fp_events")
        events = [event[:80] for event in events[:8] if isinstance(event, str)] if isinstance(events, list) else []
        context = {"args": case.args, "kwargs": case.kwargs, "fp_events": events}
        diagnosis = _diagnose(case.expected, result.get("value"), compare_spec, context)
        found[index] = diagnosis
        if diagnosis is None:
            unexplained = True
    keys = {diagnosis.key for diagnosis in found.values() if diagnosis is not None and not diagnosis.factual}
    shared = len(keys) == 1 and not unexplained
    for index, diagnosis in found.items():
        if diagnosis is not None and (diagnosis.factual or shared):
            feedback[index].diagnosis = diagnosis.tag
            feedback[index].message = f"{feedback[index].message} {diagnosis.message}"


def _diagnose(expected, got, compare_spec, context):
    """For a tuple result compared item by item, diagnose the first item that differs."""
    if isinstance(compare_spec, list) and isinstance(expected, tuple | list) and isinstance(got, tuple | list):
        for index, (exp_item, got_item, spec) in enumerate(zip(expected, got, compare_spec, strict=False)):
            if not compare(exp_item, got_item, spec, context=context).passed:
                found = diagnose(exp_item, got_item, context)
                return replace(found, key=f"value {index + 1}: {found.key}") if found else None
        return None
    return diagnose(expected, got, context)


# --- validation of an exercise against its own reference -------------------------------


@dataclass
class Check:
    """One validation run: `answer` should pass (the reference) or fail (starter, mutants)."""

    name: str
    should_pass: bool
    result: GradingResult

    @property
    def ok(self) -> bool:
        return self.result.status == "graded" and self.result.correct == self.should_pass


def validation_answers(kind: str, spec: dict, context: dict | None = None) -> list[tuple[str, bool, str]]:
    """(name, should pass, answer) for everything an exercise can be checked with."""
    from . import kinds

    return kinds.get(kind).validation_answers(spec, context)


def validate(
    kind: str, spec: dict, cases: list[PreparedCase] | None = None, context: dict | None = None
) -> list[Check]:
    return [
        Check(name, should_pass, grade(kind, spec, answer, cases=cases, context=context))
        for name, should_pass, answer in validation_answers(kind, spec, context)
    ]
