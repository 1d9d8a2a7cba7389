"""Matrix-calculus answers, run in-process through the checker's request handler (the checker
process runs the same code; tests/grader/test_symbolic_pool.py covers the process)."""

import numpy as np
import pytest

from grader.symbolic.checks import handle
from grader.symbolic.matrix import Declaration, evaluate, read

LEAST_SQUARES = {
    "matrices": {"X": ["n", "d"], "w": ["d", 1], "y": ["n", 1]},
    "expected": "2*X^T*(X*w - y)",
    "gradient": {"loss": "||X*w - y||^2", "wrt": "w"},
    "mistakes": [{"answer": "X^T*(X*w - y)", "hint": "The square brings down a factor 2."}],
}
SOFTMAX = {
    "matrices": {"X": ["n", "d"], "W": ["d", "k"], "Y": {"shape": ["n", "k"], "entries": "distribution"}},
    "expected": "X^T*(softmax(X*W) - Y)",
    "gradient": {"loss": "-sum(hadamard(Y, log(softmax(X*W))))", "wrt": "W"},
}
LOGISTIC = {
    "matrices": {"X": ["n", "d"], "w": ["d", 1], "y": {"shape": ["n", 1], "entries": "unit"}},
    "expected": "X^T*(sigmoid(X*w) - y)",
    "gradient": {"loss": "-(y^T log(sigmoid(X w)) + (1 - y)^T log(1 - sigmoid(X w)))", "wrt": "w"},
}
MAHALANOBIS = {
    "matrices": {"x": ["d", 1], "mu": ["d", 1], "S": {"shape": ["d", "d"], "entries": "spd"}},
    "expected": "2*inv(S)*(x - mu)",
    "gradient": {"loss": "(x - mu)^T inv(S) (x - mu)", "wrt": "x"},
}
RIDGE_SOLUTION = {
    "matrices": {"X": ["n", "d"], "y": ["n", 1]},
    "scalars": ["lam"],
    "dims": {"n": [6, 9], "d": [2, 4]},
    "expected": "inv(X^T X + lam*eye(d)) X^T y",
}


def grade(spec, answer):
    return handle({"op": "grade", "spec": spec, "answer": answer})


@pytest.mark.parametrize(
    "spec, answer",
    [
        (LEAST_SQUARES, "2X^T(Xw - y)"),
        (LEAST_SQUARES, "2*X.T*(X*w - y)"),
        (LEAST_SQUARES, "2 X'(Xw - y)"),
        (LEAST_SQUARES, "2Xᵀ(Xw − y)"),
        (LEAST_SQUARES, "-2X^T(y - Xw)"),
        (LEAST_SQUARES, "2X^T X w - 2X^T y"),
        (LEAST_SQUARES, "2 transpose(X) (X w - y)"),
        (LEAST_SQUARES, r"2\mathbf{X}^\top(\mathbf{X}\mathbf{w} - \mathbf{y})"),
        (SOFTMAX, "X^T(softmax(XW) - Y)"),
        (LOGISTIC, "X^T(sigmoid(Xw) - y)"),
        (LOGISTIC, "X^T(σ(Xw) - y)"),
        (MAHALANOBIS, "2 S^-1 (x - mu)"),
        (MAHALANOBIS, "2 inv(S) x - 2 inv(S) mu"),
        (RIDGE_SOLUTION, "(X^TX + lam*I)^-1 X^T y"),
        (RIDGE_SOLUTION, "inv(X^T X + lam eye(d)) X^T y"),
    ],
)
def test_it_accepts_equivalent_matrix_answers(spec, answer):
    reply = grade(spec, answer)
    assert reply["readable"] and reply["correct"], reply


@pytest.mark.parametrize(
    "spec, answer, message",
    [
        (LEAST_SQUARES, "X^T(Xw - y)", "differs from central differences of the loss"),
        (LEAST_SQUARES, "2 X^T X w", "differs from central differences of the loss"),
        (SOFTMAX, "X^T(softmax(XW) - Y)/n", "differs from central differences"),
        (LOGISTIC, "X^T(y - sigmoid(Xw))", "differs from central differences"),
        (MAHALANOBIS, "inv(S)(x - mu)", "differs from central differences"),
        (RIDGE_SOLUTION, "inv(X^T X) X^T y", "differs from the expected answer"),
        (RIDGE_SOLUTION, "(X^TX + lam)^-1 X^T y", "differs from the expected answer"),  # + lam on every entry
    ],
)
def test_it_rejects_wrong_values_at_random_points(spec, answer, message):
    reply = grade(spec, answer)
    assert reply["readable"] and not reply["correct"]
    assert message in reply["message"]


def test_it_checks_the_shape_of_a_gradient_and_says_to_transpose():
    reply = grade(LEAST_SQUARES, "2(Xw - y)^T X")
    assert not reply["correct"]
    assert (
        reply["message"]
        == "Your answer is 1×d, but the gradient with respect to w has the shape of w, d×1. Transpose it."
    )


def test_it_refuses_a_product_whose_inner_sizes_differ_naming_both_shapes():
    reply = grade(LEAST_SQUARES, "2X(Xw - y)")
    assert reply["readable"] and not reply["correct"]
    assert "is n×d and" in reply["message"] and "is n×1" in reply["message"] and "needs d = n" in reply["message"]


@pytest.mark.parametrize(
    "answer, message",
    [
        ("w + y", "a sum needs equal shapes"),
        ("X^2", "not square"),
        ("inv(X)", "needs a square matrix"),
        ("hadamard(w, y)", "hadamard needs two matrices of one shape"),
        ("I", "The size of I is unclear"),
    ],
)
def test_it_explains_other_shape_errors(answer, message):
    reply = grade(LEAST_SQUARES, answer)
    assert not reply["correct"] and message in reply["message"]


@pytest.mark.parametrize(
    "answer, message",
    [
        ("sin(X) w", "sin is not available in a matrix answer"),
        ("2^(10^9) w", "exponent is too large"),
        ("1000^999 w", "too large to compute"),
    ],
)
def test_it_refuses_functions_and_powers_it_does_not_handle(answer, message):
    reply = grade(LEAST_SQUARES, answer)
    assert not reply["readable"] and message in reply["error"]["message"]


def test_it_gives_the_hint_of_a_matching_mistake():
    assert grade(LEAST_SQUARES, "X^T(Xw - y)")["hint"] == "The square brings down a factor 2."


@pytest.mark.parametrize("answer", ["__import__('os')", "X.__class__", "lambda: 1", "X[0]", "'a'", "2X^T(Xw - y"])
def test_it_never_evaluates_the_text(answer):
    reply = grade(LEAST_SQUARES, answer)
    assert reply["status"] == "ok" and not reply.get("correct")


def test_it_previews_the_reading_with_its_shape():
    reply = handle({"op": "preview", "spec": LEAST_SQUARES, "answer": "2X^T(Xw - y)"})
    assert reply["ok"] and reply["shape"] == "d×1"
    assert reply["latex"] == r"2 X^{T} \left(X w - y\right) \quad (d \times 1)"


def test_it_evaluates_a_derivation_at_given_points_reading_vectors_as_columns():
    point = {"X": [[1.0, 2.0], [3.0, 4.0], [0.0, 1.0]], "w": [1.0, -1.0], "y": [0.5, 0.0, 2.0]}
    reply = handle({"op": "evaluate", "spec": LEAST_SQUARES, "answer": "2X^T(Xw - y)", "points": [point]})
    X, w, y = (np.array(point[name]) for name in ("X", "w", "y"))
    np.testing.assert_allclose(np.ravel(reply["values"][0]["value"]), 2 * X.T @ (X @ w - y))


def test_it_reports_points_whose_sizes_disagree():
    point = {"X": [[1.0, 2.0]], "w": [1.0, -1.0, 3.0], "y": [0.5]}
    reply = handle({"op": "evaluate", "spec": LEAST_SQUARES, "answer": "2X^T(Xw - y)", "points": [point]})
    assert reply["values"] == [{"ok": False, "message": "the arguments disagree on the size d"}]


def test_it_reports_a_misdeclared_exercise_as_a_spec_error():
    reply = grade({**LEAST_SQUARES, "matrices": {"X": ["n"], "w": ["d", 1]}}, "w")
    assert reply["status"] == "spec-error"
    reply = grade({**LEAST_SQUARES, "expected": "X*y"}, "w")
    assert reply["status"] == "spec-error" and "cannot be read" in reply["message"]


def test_it_evaluates_each_node_like_numpy():
    declaration = Declaration.from_spec({"matrices": {"A": ["n", "n"], "v": ["n", 1]}, "scalars": ["c"]})
    rng = np.random.default_rng(0)
    A, v, c = rng.normal(size=(3, 3)), rng.normal(size=(3, 1)), 0.7
    env = {"A": A, "v": v, "c": c, "n": 3}
    square = (v.T @ v).item()
    expressions = {
        "A^T A v": A.T @ A @ v,
        "inv(A) v": np.linalg.solve(A, v),
        "tr(A) + det(A)": np.trace(A) + np.linalg.det(A),
        "norm(v)^2 + sum(v)": square + v.sum(),
        "hadamard(v, v) / c": v * v / c,
        "exp(v) - 1": np.exp(v) - 1,
        "diag(v) v": v * v,
        "softmax(v)": np.exp(v) / np.exp(v).sum(),
        "v^T v * v": square * v,
        "A^2 + c I": A @ A + c * np.eye(3),
        "ones(n)^T v / n": v.mean(),
    }
    for text, expected in expressions.items():
        got = evaluate(read(text, declaration).value, env)
        np.testing.assert_allclose(got.reshape(np.shape(expected)), expected, err_msg=text)


def test_it_accepts_the_matrix_gradient_of_a_frobenius_least_squares_loss_with_its_shape():
    spec = {
        "matrices": {"X": ["n", "d"], "W": ["d", "k"], "y": ["n", "k"]},
        "expected": "2*X^T*(X*W - y)",
        "gradient": {"loss": "||X*W - y||^2", "wrt": "W"},
    }
    assert grade(spec, "2 X^T (XW - y)")["correct"]
    assert grade(spec, "2 X^T X W - 2 X^T y")["correct"]
    transposed = grade(spec, "2 (XW - y)^T X")
    assert not transposed["correct"] and "k×d" in transposed["message"] and "Transpose it." in transposed["message"]
