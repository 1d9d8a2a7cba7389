import textwrap

import pytest

from grader import engine

SPEC = {
    "entry_point": "column_means",
    "reference": "import numpy as np\ndef column_means(X):\n    return np.asarray(X).mean(axis=0)\n",
    "cases": textwrap.dedent(
        """
        import numpy as np
        def cases(rng):
            yield {"name": "tall", "args": [rng.normal(size=(4, 3))]}
            yield {"name": "square", "args": [rng.normal(size=(5, 5))], "hidden": True}
        """
    ),
    "compare": {"method": "allclose"},
    "limits": {"cpu_seconds": 1, "wall_seconds": 2},
}


@pytest.fixture(scope="module")
def cases():
    return engine.prepare_code_cases(SPEC, seed=3)


def test_it_grades_a_correct_answer(cases):
    result = engine.grade("code", SPEC, SPEC["reference"], cases=cases)
    assert result.correct and result.message == "All 2 cases passed."
    assert "process" in result.details["isolation"]


def test_it_stores_the_diagnosis_of_a_common_slip(cases):
    answer = "def column_means(X):\n    return X.mean(axis=1)\n"
    result = engine.grade("code", SPEC, answer, cases=cases)
    assert result.score == 0
    assert result.diagnoses == ["wrong-axis"]
    assert all(case.diagnosis == "wrong-axis" for case in result.cases)
    assert "over axis 1" in result.cases[1].message


def test_it_shows_a_hidden_case_only_as_pass_fail_and_mistake(cases):
    answer = "def column_means(X):\n    return X.sum(axis=0)\n"
    hidden = engine.grade("code", SPEC, answer, cases=cases).cases[1].public()
    assert hidden["input"] is None and hidden["expected"] is None and hidden["got"] is None
    assert hidden["diagnosis"] == "constant-factor"


def test_it_turns_a_timeout_into_a_graded_result(cases):
    result = engine.grade("code", SPEC, "import time\ndef column_means(X):\n    time.sleep(30)\n", cases=cases)
    assert result.status == "graded" and result.score == 0
    assert "Time limit exceeded" in result.message and "stopped at case 'tall'" in result.message


def test_it_reports_a_syntax_error_as_a_graded_result(cases):
    result = engine.grade("code", SPEC, "def column_means(X)\n    return X\n", cases=cases)
    assert result.status == "graded" and "SyntaxError" in result.message
