"""Gradient checking of code exercises, and the comparison of a learner's code with their own
derivation. Code runs in the sandbox; derivations are evaluated by the expression checker."""

import textwrap

import numpy as np
import pytest

from grader import engine, gradcheck

LOSS = textwrap.dedent(
    """
    import numpy as np

    def loss(X, y, w):
        r = X @ w - y
        return float(r @ r)
    """
)
SPEC = {
    "entry_point": "lsq_gradient",
    "reference": "import numpy as np\ndef lsq_gradient(X, y, w):\n    return 2 * X.T @ (X @ w - y)\n",
    "starter": "def lsq_gradient(X, y, w):\n    raise NotImplementedError\n",
    "cases": textwrap.dedent(
        """
        import numpy as np
        def cases(rng):
            yield {"name": "small", "args": [np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 1.0]]), np.array([0.5, 0.0, 2.0]), np.array([1.0, -1.0])]}
            yield {"name": "random", "args": [rng.normal(size=(6, 3)), rng.normal(size=6), rng.normal(size=3)], "hidden": True}
        """
    ),
    "compare": {"method": "allclose"},
    "gradient": {
        "loss": LOSS,
        "arguments": ["X", "y", "w"],
        "wrt": "w",
        "derivation": "lsq-derivation",
        "matrices": {"X": ["n", "d"], "y": ["n", 1], "w": ["d", 1]},
    },
}
HALF = "import numpy as np\ndef lsq_gradient(X, y, w):\n    return X.T @ (X @ w - y)\n"


@pytest.fixture(scope="module")
def cases():
    return engine.prepare_code_cases(SPEC, seed=5)


def derivation(answer):
    return {"derivation": {"slug": "lsq-derivation", "title": "Least squares by hand", "answer": answer}}


def test_it_computes_central_differences_of_the_loss_in_the_sandbox(cases):
    for case in cases:
        X, y, w = case.args
        np.testing.assert_allclose(case.gradient["gradient"], 2 * X.T @ (X @ w - y), rtol=1e-7)
        assert case.gradient["loss"] == pytest.approx(float((X @ w - y) @ (X @ w - y)))


def test_it_passes_a_gradient_that_agrees_with_central_differences(cases):
    result = engine.grade("code", SPEC, SPEC["reference"], cases=cases)
    assert result.correct
    assert all("Gradient check: it agrees with central differences" in case.message for case in result.cases)


def test_it_fails_a_gradient_that_does_not(cases):
    result = engine.grade("code", SPEC, HALF, cases=cases)
    assert result.score == 0
    assert all("Gradient check failed" in case.message for case in result.cases)


def test_it_catches_a_wrong_reference_when_the_course_is_validated():
    spec = {**SPEC, "reference": HALF}
    cases = engine.prepare_code_cases(spec, seed=5)
    (reference, *_) = engine.validate("code", spec, cases)
    assert reference.name == "reference" and not reference.ok
    assert "Gradient check failed" in reference.result.cases[0].message


def test_it_finds_the_gradient_in_a_returned_tuple_and_handles_a_scalar_variable():
    spec = {
        **SPEC,
        "entry_point": "loss_and_grad_b",
        "reference": "import numpy as np\ndef loss_and_grad_b(X, y, b):\n    r = X.sum(axis=1) + b - y\n    return float(r @ r), float(2 * r.sum())\n",
        "gradient": {
            "loss": "import numpy as np\ndef loss(X, y, b):\n    r = X.sum(axis=1) + b - y\n    return float(r @ r)\n",
            "arguments": ["X", "y", "b"],
            "wrt": "b",
            "output": 1,
        },
        "compare": [{"method": "allclose"}, {"method": "allclose"}],
        "cases": "import numpy as np\ndef cases(rng):\n    yield {'name': 'one', 'args': [rng.normal(size=(4, 2)), rng.normal(size=4), 0.3]}\n",
    }
    cases = engine.prepare_code_cases(spec, seed=2)
    assert engine.grade("code", spec, spec["reference"], cases=cases).correct
    wrong = spec["reference"].replace("2 * r.sum()", "r.sum()")
    assert "Gradient check failed" in engine.grade("code", spec, wrong, cases=cases).cases[0].message


def test_it_confirms_code_that_agrees_with_the_learners_derivation_without_changing_the_score(cases):
    result = engine.grade("code", SPEC, SPEC["reference"], cases=cases, context=derivation("2X^T(Xw - y)"))
    assert result.correct and result.score == 1
    last = result.cases[-1]
    assert last.name == gradcheck.DERIVATION_CASE and last.passed
    assert "agree on all 2 cases" in last.message and "Least squares by hand" in last.message


def test_it_says_the_derivation_is_wrong_when_central_differences_side_with_the_code(cases):
    result = engine.grade("code", SPEC, SPEC["reference"], cases=cases, context=derivation("X^T(Xw - y)"))
    assert result.correct  # the code is right; the derivation is graded in its own exercise
    last = result.cases[-1]
    assert not last.passed and "disagree on 2 of 2 cases, first on 'small'" in last.message
    assert "side with your code: revisit the derivation" in last.message


def test_it_says_the_code_is_wrong_when_central_differences_side_with_the_derivation(cases):
    result = engine.grade("code", SPEC, HALF, cases=cases, context=derivation("2 X'(Xw - y)"))
    assert result.score == 0
    assert "side with your derivation: your code does not implement it yet" in result.cases[-1].message


def test_it_explains_a_derivation_of_the_wrong_shape_or_one_it_cannot_read(cases):
    transposed = engine.grade("code", SPEC, SPEC["reference"], cases=cases, context=derivation("2(Xw - y)^T X"))
    assert not transposed.cases[-1].passed
    assert "is 1×d, but a gradient with respect to w has the shape of w, d×1" in transposed.cases[-1].message
    unreadable = engine.grade("code", SPEC, SPEC["reference"], cases=cases, context=derivation("2X^T(Xw - y"))
    assert not unreadable.cases[-1].passed and "could not read" in unreadable.cases[-1].message


def test_it_reports_the_relative_error_as_gradient_checks_usually_do():
    assert gradcheck.gradient_error(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), 3.0)[0]
    passed, relative = gradcheck.gradient_error(np.array([2.0, 4.0]), np.array([1.0, 2.0]), 3.0)
    assert not passed and relative == pytest.approx(0.5)
    assert not gradcheck.gradient_error(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0]), 3.0)[0]
