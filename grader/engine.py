"""The grading engine: turns (exercise spec, answer) into a GradingResult.

It knows nothing of the database: callers pass the exercise version's spec and, for code
exercises, its prepared cases (inputs with the reference's outputs, computed once per
version by `prepare_code_cases`). Every piece of untrusted code runs through `sandbox`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import answers, gradcheck, sandbox
from .compare import CompareSpecError, compare
from .diagnosis import diagnose
from .results import CaseResult, GradingResult


@dataclass
class PreparedCase:
    name: str
    args: list
    kwargs: dict
    hidden: bool
    expected: Any
    gradient: dict | None = None  # for a gradient exercise: the loss and its central differences here

    def to_wire(self) -> dict:
        return {"name": self.name, "args": self.args, "kwargs": self.kwargs, "hidden": self.hidden, "expected": self.expected, "gradient": self.gradient}


def prepare_code_cases(spec: dict, seed: int) -> list[PreparedCase]:
    """Generate the inputs and the reference's outputs, each in a sandboxed run of its own."""
    limits = sandbox.limits_for(spec.get("limits"))
    cases = sandbox.generate_cases(spec["cases"], seed, limits)
    outcome = sandbox.run_calls(spec["reference"], spec["entry_point"], [(c["args"], c["kwargs"]) for c in cases], limits)
    if outcome.status != "ok":
        raise sandbox.SandboxError(f"The reference solution did not finish: {outcome.message}")
    response = outcome.response
    if not response.get("ok"):
        raise sandbox.SandboxError(f"The reference solution failed to load: {response.get('error')}")
    prepared = []
    for case, result in zip(cases, response["results"], strict=True):
        if not result.get("ok"):
            raise sandbox.SandboxError(f"The reference solution failed on case {case['name']!r}: {result.get('error')}")
        prepared.append(PreparedCase(case["name"], case["args"], case["kwargs"], case["hidden"], result["value"]))
    if spec.get("gradient"):
        numeric = gradcheck.central_differences(spec["gradient"], [(c.args, c.kwargs) for c in prepared], limits)
        for case, values in zip(prepared, numeric, strict=True):
            case.gradient = values
    return prepared


def grade(kind: str, spec: dict, answer: str, *, cases: list[PreparedCase] | None = None, context: dict | None = None) -> GradingResult:
    if not answer.strip():
        return GradingResult.rejected("The answer is empty.")
    if kind == "code":
        return grade_code(spec, answer, cases or [], context)
    if kind == "numeric":
        return answers.grade_numeric(spec, answer)
    if kind == "choice":
        return answers.grade_choice(spec, answer)
    if kind == "symbolic":
        from .symbolic import grade_symbolic

        return grade_symbolic(spec, answer, context or {})
    return GradingResult.platform_error(f"Unknown exercise kind {kind!r}.")


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

    Only the decoded result pipe counts: the run's stdout, stderr and exit status are shown
    to the learner or explain a crash, never turned into a verdict."""
    limits = sandbox.limits_for(spec.get("limits"))
    outcome = sandbox.run_calls(answer, spec["entry_point"], [(case.args, case.kwargs) for case in cases], limits)
    stdout = outcome.stdout[-4000:]
    isolation = {"isolation": outcome.layers}
    if outcome.status == "sandbox-error":
        result = GradingResult.platform_error(f"The grading sandbox failed: {outcome.message}")
        result.details.update(isolation)
        return result
    if outcome.status != "ok":
        result = GradingResult.rejected(outcome.message, stderr=outcome.stderr[-2000:], **isolation)
        result.stdout = stdout
        return result
    response = outcome.response
    if not response.get("ok"):
        result = GradingResult.rejected(f"Your code could not run: {response.get('error')}", **isolation)
        result.stdout = stdout
        result.details["traceback"] = str(response.get("traceback", ""))[-4000:]
        return result
    results = response.get("results")
    if not isinstance(results, list) or len(results) != len(cases):
        return GradingResult.rejected("The run did not return one result per case.", stdout=stdout, **isolation)
    feedback = [_judge_case(case, result, spec.get("compare")) for case, result in zip(cases, results, strict=True)]
    gradient = spec.get("gradient")
    if gradient:
        gradcheck.check_cases(gradient, cases, results, feedback)
    graded = GradingResult.from_cases(feedback, stdout=stdout, **isolation)
    derivation = (context or {}).get("derivation")
    if gradient and gradient.get("matrices") and derivation:
        gradcheck.compare_with_derivation(gradient, cases, results, derivation, graded)
    return graded


def _judge_case(case: PreparedCase, result: Any, compare_spec) -> CaseResult:
    feedback = CaseResult(name=case.name, passed=False, hidden=case.hidden, input=show_call(case), expected=show(case.expected))
    if not isinstance(result, dict) or not result.get("ok"):
        error = result.get("error", "no result") if isinstance(result, dict) else "no result"
        feedback.message = f"Your function raised {error}"
        feedback.traceback = (result.get("traceback") if isinstance(result, dict) else None) or None
        return feedback
    got = result.get("value")
    feedback.got = show(got)
    context = {"args": case.args, "kwargs": case.kwargs}
    try:
        verdict = compare(case.expected, got, compare_spec, context=context)
    except CompareSpecError as exc:
        feedback.message = f"The exercise's comparison is misconfigured: {exc}"
        return feedback
    feedback.passed = verdict.passed
    feedback.message = verdict.message or "Correct."
    feedback.max_error = verdict.max_error
    feedback.where = verdict.where
    if not verdict.passed:
        found = _diagnose(case.expected, got, compare_spec, context)
        if found:
            feedback.diagnosis = found.tag
            feedback.message = f"{feedback.message} {found.message}"
    return feedback


def _diagnose(expected, got, compare_spec, context):
    """For a tuple result compared item by item, diagnose the first item that differs."""
    if isinstance(compare_spec, list) and isinstance(expected, tuple | list) and isinstance(got, tuple | list):
        for exp_item, got_item, spec in zip(expected, got, compare_spec, strict=False):
            if not compare(exp_item, got_item, spec, context=context).passed:
                return diagnose(exp_item, got_item, context)
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
    if kind == "code":
        answers = [("reference", True, spec["reference"]), ("starter", False, spec["starter"])]
        return answers + [(f"mutant: {m['name']}", False, m["code"]) for m in spec.get("mutants", [])]
    if kind == "numeric":
        return [("expected value", True, json.dumps(spec["answer"]["value"]))]
    if kind == "choice":
        right = [index for index, choice in enumerate(spec["choices"]) if choice["correct"]]
        wrong = [index for index, choice in enumerate(spec["choices"]) if not choice["correct"]]
        return [("correct choices", True, json.dumps(right)), ("a wrong choice", False, json.dumps(wrong[:1]))]
    if kind == "symbolic":
        from .symbolic.grading import answer_spec_for

        answer = answer_spec_for(spec, context)  # the expected answer and mistakes for these parameters

        def text(value) -> str:
            return value if isinstance(value, str) else json.dumps(value)

        checks = [("expected answer", True, text(answer["expected"]))]
        return checks + [(f"mistake: {text(m['answer'])}", False, text(m["answer"])) for m in answer.get("mistakes", [])]
    return []


def validate(kind: str, spec: dict, cases: list[PreparedCase] | None = None, context: dict | None = None) -> list[Check]:
    return [
        Check(name, should_pass, grade(kind, spec, answer, cases=cases, context=context))
        for name, should_pass, answer in validation_answers(kind, spec, context)
    ]
