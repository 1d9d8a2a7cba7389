"""The checker processes: hostile answers come back as typed results within seconds, a check
that overruns is killed and reported as too complex, and the pool recovers."""

import time
from pathlib import Path

import pytest

from grader.symbolic import grade_symbolic
from grader.symbolic.pool import CheckerPool, PoolLimits

SPEC = {"answer": {"expected": "exp(-x)/(1 + exp(-x))^2", "variables": ["x"]}}


@pytest.mark.parametrize(
    "answer",
    [
        "__import__('os').system('touch /tmp/symbolic-pwned')",
        "9**9**9",
        "2^9^9^9",
        "factorial(10**8)",
        "(" * 5000 + "x" + ")" * 5000,
        "1" * 100_000,
    ],
)
def test_it_answers_hostile_input_quickly_with_an_error(answer):
    started = time.monotonic()
    result = grade_symbolic(SPEC, answer, {})
    assert time.monotonic() - started < 5
    assert result.status == "graded" and result.score == 0
    assert result.message.startswith("We could not read your answer")
    assert not Path("/tmp/symbolic-pwned").exists()


def test_it_grades_through_the_pool_with_hints():
    spec = {"answer": {**SPEC["answer"], "mistakes": [{"answer": "1/(1 + exp(-x))^2", "hint": "Chain rule."}]}}
    assert grade_symbolic(spec, "exp(x)/(1 + exp(x))^2").correct
    wrong = grade_symbolic(spec, "1/(1+exp(-x))^2")
    assert (
        not wrong.correct and wrong.cases[-1].message == "Chain rule." and wrong.diagnoses == ["Chain rule"]
    )  # named by its hint


def test_it_reports_a_check_that_overruns_as_too_complex_and_recovers():
    pool = CheckerPool(PoolLimits(workers=1, wall_seconds=5))
    try:
        spec = {"expected": "x", "variables": ["x"], "operators": ["integrate"]}  # a slow integral, on purpose
        request = {"op": "grade", "spec": spec, "answer": "integrate(exp(sin(x)^3)*log(x)^5/(1+x^7), x)"}
        assert pool.run(request, wall_seconds=0.05) == {"status": "too-complex"}
        assert pool.run({"op": "grade", "spec": {"expected": "x", "variables": ["x"]}, "answer": "x"})["correct"]
    finally:
        pool.close()


def test_it_reports_an_unavailable_checker_instead_of_raising():
    pool = CheckerPool(PoolLimits(workers=1, memory_mb=1))
    try:
        assert pool.run({"op": "ping"})["status"] == "unavailable"
    finally:
        pool.close()


def test_it_fills_in_the_learners_parameters():
    spec = {"answer": {"expected": "{{a}}/(1 + lam)", "variables": ["lam"]}, "params": {"a": [2, 9]}}
    assert grade_symbolic(spec, "7/(1 + lam)", {"params": {"a": 7}}).correct
    assert not grade_symbolic(spec, "7/(1 + lam)", {"params": {"a": 3}}).correct
    assert grade_symbolic(spec, "2/(1 + lam)", {}).correct  # no learner: the lowest values
