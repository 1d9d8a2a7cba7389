import textwrap

import numpy as np
import pytest

from grader import engine, sandbox

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


def test_it_reports_a_misconfigured_comparison_as_a_platform_error_not_a_zero(cases, caplog):
    spec = {**SPEC, "compare": {"method": "allclose", "rtol": "tight"}}
    with caplog.at_level("ERROR", logger="grader.engine"):
        result = engine.grade("code", spec, SPEC["reference"], cases=cases)
    assert result.status == "error" and not result.cases
    assert "comparison is misconfigured" in result.message and "rtol and atol must be numbers" in result.message
    assert any("Misconfigured comparison" in record.message for record in caplog.records)


def test_it_turns_a_timeout_into_a_graded_result(cases):
    result = engine.grade("code", SPEC, "import time\ndef column_means(X):\n    time.sleep(30)\n", cases=cases)
    assert result.status == "graded" and result.score == 0
    assert "Time limit exceeded" in result.message and "stopped at case 'tall'" in result.message


def test_it_reports_a_syntax_error_as_a_graded_result(cases):
    result = engine.grade("code", SPEC, "def column_means(X)\n    return X\n", cases=cases)
    assert result.status == "graded" and "SyntaxError" in result.message


def test_it_times_the_reference_on_every_case_when_it_prepares_them(cases):
    assert all(case.reference_cpu is not None and 0 <= case.reference_cpu < 0.5 for case in cases)


def test_it_derives_each_cases_time_budget_from_the_reference(settings):
    limits = sandbox.Limits(cpu_seconds=5, wall_seconds=10)
    settings.GRADING_CPU_FACTOR, settings.GRADING_CPU_FLOOR = 20, 0.5
    assert sandbox.budget_for(0.001, limits).cpu_seconds == 0.5  # fast references get the floor
    assert sandbox.budget_for(0.1, limits).cpu_seconds == 2.0  # 20x the reference
    assert sandbox.budget_for(1.0, limits).cpu_seconds == 5  # never above the exercise's limit
    assert sandbox.budget_for(None, limits).cpu_seconds == 5  # not timed yet: the exercise's limit
    assert sandbox.budget_for(0.001, limits).wall_seconds == 2.0  # waiting gets a few times the CPU budget


def test_it_names_the_case_that_ran_out_of_time_and_judges_the_ones_before(cases):
    answer = textwrap.dedent(
        """
        import numpy as np
        def column_means(X):
            if X.shape == (5, 5):
                while True:
                    pass
            return np.asarray(X).mean(axis=0)
        """
    )
    result = engine.grade("code", SPEC, answer, cases=cases)
    tall, square = result.cases
    assert tall.passed and not square.passed and square.stopped == "time"
    assert "more than 0.5 s of CPU time" in square.message
    assert result.message == "1 of 2 cases passed. The run stopped at a hidden case: " + square.message
    assert result.details["time_limits"] == [0.5, 0.5]


def test_it_stops_a_loop_that_swallows_the_time_limit(cases):
    answer = "def column_means(X):\n    while True:\n        try:\n            while True:\n                pass\n        except BaseException:\n            pass\n"
    result = engine.grade("code", SPEC, answer, cases=cases)
    assert result.score == 0 and result.cases[0].stopped == "time" and result.cases[1].stopped == "skipped"
    # Stopped by the whole run's limits: the kernel's CPU limit, or the deadline on a busy machine.
    assert "CPU time limit exceeded (1 s)" in result.message or "took longer than 2 s" in result.message


def test_it_keeps_what_each_case_printed_and_shows_none_of_a_hidden_cases(cases):
    answer = "import numpy as np\nprint('loaded')\ndef column_means(X):\n    print('shape', X.shape)\n    return X.mean(axis=0)\n"
    result = engine.grade("code", SPEC, answer, cases=cases)
    visible, hidden = (case.public() for case in result.cases)
    assert result.stdout == "loaded\n"
    assert visible["output"] == "shape (4, 3)\n"
    assert result.cases[1].output == "shape (5, 5)\n" and hidden["output"] is None  # instructors only


def test_it_shows_only_the_kind_of_error_on_a_hidden_case(cases):
    answer = "def column_means(X):\n    if X.shape[0] == 5:\n        raise ValueError(f'secret {X[0, 0]}')\n    return X.mean(axis=0)\n"
    hidden = engine.grade("code", SPEC, answer, cases=cases).cases[1]
    public = hidden.public()
    assert "secret" in hidden.message and "secret" not in str(public)
    assert public["message"] == "Your function raised ValueError on line 3." and public["traceback"] is None


def test_it_names_too_much_output_as_such_not_as_a_time_limit(cases):
    chatty = "def column_means(X):\n    for i in range(10**7):\n        print('row', i)\n    return X.mean(axis=0)\n"
    result = engine.grade("code", SPEC, chatty, cases=cases)
    visible, hidden = result.cases
    assert visible.stopped == "output" and "Output limit exceeded: this case printed more than 64 KB" in visible.message
    assert "Time limit" not in result.message and visible.output.startswith("row 0")
    assert hidden.public()["message"] == visible.message and hidden.public()["output"] is None


def test_it_names_too_much_output_even_when_the_code_swallows_the_stop(cases):
    stubborn = (
        "def column_means(X):\n"
        "    for i in range(10**5):\n"
        "        try:\n"
        "            print('x' * 100)\n"
        "        except BaseException:\n"
        "            pass\n"
        "    return X.mean(axis=0)\n"
    )
    assert engine.grade("code", SPEC, stubborn, cases=cases).cases[0].stopped == "output"


def test_it_names_too_much_output_at_the_top_level(cases):
    result = engine.grade("code", SPEC, "for i in range(10**6):\n    print(i)\n", cases=cases)
    assert result.message.startswith("Output limit exceeded: your code's top level printed more than 64 KB")


# --- the statement's contract ------------------------------------------------------------

SIGMOID = {
    "entry_point": "sigmoid",
    "reference": "import numpy as np\ndef sigmoid(z):\n    e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))\n",
    "cases": textwrap.dedent(
        """
        import numpy as np
        def cases(rng):
            yield {"name": "small", "args": [np.linspace(-3.0, 3.0, 7)]}
            yield {"name": "beyond exp's range", "args": [np.array([[-1000.0, 5.0], [800.0, -720.0]])], "hidden": True}
        """
    ),
    "compare": {"method": "allclose", "rtol": 1e-6, "atol": 1e-12},
    "contract": {"fp_errors": ["overflow", "invalid", "divide"], "inputs_unchanged": True},
}
NAIVE_SIGMOID = "import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"


@pytest.fixture(scope="module")
def sigmoid_cases():
    return engine.prepare_code_cases(SIGMOID, seed=1)


def test_it_fails_a_naive_sigmoid_by_its_overflow_and_names_it(sigmoid_cases):
    result = engine.grade("code", SIGMOID, NAIVE_SIGMOID, cases=sigmoid_cases)
    small, large = result.cases
    assert small.passed and not large.passed
    assert large.contract == "fp_errors" and large.diagnosis == "overflow"
    assert "overflow" in large.message and "line 3" in large.message
    assert "overflow" in large.public()["message"]  # hidden, yet the rule it broke is named


def test_it_lets_the_same_naive_sigmoid_pass_without_a_floating_point_policy(sigmoid_cases):
    spec = {**SIGMOID, "contract": {}}
    assert engine.grade("code", spec, NAIVE_SIGMOID, cases=sigmoid_cases).correct


def test_it_accepts_a_stable_sigmoid_under_the_policy(sigmoid_cases):
    answer = "import numpy as np\ndef sigmoid(z):\n    return 0.5 * (1 + np.tanh(0.5 * z))\n"
    assert engine.grade("code", SIGMOID, answer, cases=sigmoid_cases).correct


def test_it_fails_an_answer_that_modifies_its_input_and_names_the_argument(sigmoid_cases):
    answer = (
        "import numpy as np\ndef sigmoid(z):\n    np.tanh(0.5 * z, out=z)\n    z += 1\n    z *= 0.5\n    return z\n"
    )
    result = engine.grade("code", SIGMOID, answer, cases=sigmoid_cases)
    assert not result.correct
    assert all(case.contract == "inputs_unchanged" for case in result.cases)
    assert "modified its argument `z`" in result.cases[1].public()["message"]


def test_it_checks_the_references_own_contract_when_it_prepares_the_cases():
    spec = {**SIGMOID, "reference": NAIVE_SIGMOID}
    with pytest.raises(sandbox.SandboxError, match="overflow"):
        engine.prepare_code_cases(spec, seed=1)


COUNT = {
    "entry_point": "count",
    "reference": "import numpy as np\ndef count(x):\n    return (np.asarray(x) > 0).sum(axis=0)\n",
    "cases": "import numpy as np\ndef cases(rng):\n    yield {'name': 'm', 'args': [np.array([[1.0, -1.0], [2.0, 3.0]])]}\n",
    "contract": {"dtype": "integer"},
}


@pytest.mark.parametrize(
    ("body", "passes"),
    [
        ("return (x > 0).sum(axis=0)", True),
        ("return np.count_nonzero(x > 0, axis=0).astype(np.int32)", True),
        ("return [int(v) for v in (x > 0).sum(axis=0)]", True),
        ("return (x > 0).sum(axis=0).astype(float)", False),
        ("return np.mean(x > 0, axis=0) * 2", False),
    ],
)
def test_it_checks_the_declared_dtype_kind(body, passes):
    cases = engine.prepare_code_cases(COUNT, seed=1)
    result = engine.grade("code", COUNT, f"import numpy as np\ndef count(x):\n    {body}\n", cases=cases)
    assert result.correct == passes
    if not passes:
        assert result.cases[0].contract == "dtype" and "integers" in result.cases[0].message


def test_it_checks_a_dtype_per_item_of_a_tuple():
    assert engine.dtype_problem((1.5, np.array([1, 2])), [None, "integer"]) is None
    assert "value 2" in engine.dtype_problem((1.5, np.array([1.0, 2.0])), [None, "integer"])
    assert engine.dtype_problem(np.True_, "bool") is None
    assert engine.dtype_problem(1, "bool")


def test_it_takes_an_integer_where_the_statement_asks_for_a_float():
    assert engine.dtype_problem(0, "float") is None
    assert engine.dtype_problem(np.array([1, 2]), "float") is None
    assert engine.dtype_problem(np.True_, "float")


def test_it_does_not_judge_the_dtype_of_an_empty_array():
    assert engine.dtype_problem(np.array([]), "integer") is None
    assert engine.dtype_problem(np.zeros((0, 3)), "integer") is None
    assert engine.dtype_problem(np.zeros((2, 3)), "integer")


def test_it_gives_loading_an_answer_time_to_import_scipy_stats():
    spec = {key: value for key, value in SPEC.items() if key != "limits"}
    answer = "import numpy as np\nimport scipy.stats\n\ndef column_means(X):\n    return np.asarray(X).mean(axis=0)\n"
    result = engine.grade("code", spec, answer, cases=engine.prepare_code_cases(spec, seed=3))
    assert result.correct, result.message
