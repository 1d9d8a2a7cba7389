"""The advanced module's references and answers agree with numpy, scipy and sympy."""

import numpy as np
import pytest
import sympy
from scipy import linalg

from tests.content.helpers import exercise, run_reference

x, y = sympy.symbols("x y")


def _matrix(rows, names=("x", "y")):
    loc = {n: sympy.Symbol(n) for n in names}
    return sympy.Matrix(
        [[sympy.sympify(str(e).replace("^", "**"), locals=loc) for e in row] for row in rows]
    )


def test_it_jacobian_answer_matches_sympy():
    f = sympy.Matrix([x**2 * y, 5 * x + sympy.sin(y)])
    expected = _matrix(exercise("jacobian-two-outputs")["answer"]["expected"])
    assert sympy.simplify(f.jacobian([x, y]) - expected) == sympy.zeros(2, 2)
    g = sympy.Matrix([x + 2 * y, 3 * x - y, x * y])
    expected = _matrix(exercise("quiz-adv-jacobian-linear")["answer"]["expected"])
    assert g.jacobian([x, y]) - expected == sympy.zeros(3, 2)


def test_it_hessian_answer_matches_sympy():
    f = x**3 + 2 * x * y**2 - 4 * y
    expected = _matrix(exercise("hessian-cubic")["answer"]["expected"])
    assert sympy.hessian(f, (x, y)) - expected == sympy.zeros(2, 2)


def test_it_taylor_answers_match_sympy_series():
    for slug, f, order in [
        ("taylor-log-one-plus-x", sympy.log(1 + x), 4),
        ("quiz-adv-taylor-cos", sympy.cos(x), 3),
    ]:
        expected = sympy.sympify(
            exercise(slug)["answer"]["expected"].replace("^", "**"), locals={"x": x}
        )
        assert sympy.expand(sympy.series(f, x, 0, order).removeO() - expected) == 0
    assert exercise("quiz-adv-taylor-sqrt")["answer"]["value"] == pytest.approx(3 + 0.3 / 6)


def test_it_lagrange_answer_matches_a_direct_solution():
    a, b, c, lam = sympy.symbols("a b c lam", positive=True)
    X, Y = sympy.symbols("X Y")
    L = X**2 + Y**2 - lam * (a * X + b * Y - c)
    sol = sympy.solve([sympy.diff(L, v) for v in (X, Y, lam)], [X, Y, lam], dict=True)[0]
    value = sympy.simplify((X**2 + Y**2).subs(sol))
    loc = {"a": a, "b": b, "c": c}
    expected = sympy.sympify(
        exercise("lagrange-closest-point")["answer"]["expected"].replace("^", "**"), locals=loc
    )
    assert sympy.simplify(value - expected) == 0


@pytest.mark.parametrize("shape", [(3, 3), (6, 4), (10, 1)])
def test_it_gram_schmidt_matches_numpy_qr_up_to_sign(shape):
    A = np.random.default_rng(shape[0]).normal(size=shape)
    Q = run_reference("gram-schmidt-orthonormalise", A)
    Q_np, R_np = np.linalg.qr(A)
    Q_np = Q_np * np.sign(np.diag(R_np))  # make R's diagonal positive, as Gram-Schmidt does
    np.testing.assert_allclose(Q, Q_np, atol=1e-10)
    np.testing.assert_allclose(Q.T @ Q, np.eye(shape[1]), atol=1e-10)


def test_it_gram_schmidt_stays_orthogonal_on_nearly_dependent_columns():
    e = 1e-8
    A = np.array([[1.0, 1.0, 1.0], [e, 0.0, 0.0], [0.0, e, 0.0], [0.0, 0.0, e]])
    Q = run_reference("gram-schmidt-orthonormalise", A)
    assert np.abs(Q.T @ Q - np.eye(3)).max() < 1e-6


@pytest.mark.parametrize(
    "A",
    [
        np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]),
        np.random.default_rng(1).normal(size=(5, 3)),
        np.random.default_rng(2).normal(size=(6, 2)) @ np.random.default_rng(3).normal(size=(2, 4)),
        np.zeros((2, 3)),
    ],
)
def test_it_pseudoinverse_matches_numpy_pinv(A):
    np.testing.assert_allclose(run_reference("pseudoinverse-svd", A), np.linalg.pinv(A), atol=1e-10)


def test_it_n_step_distribution_matches_repeated_steps():
    P = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [0.0, 0.1, 0.9]])
    pi = np.array([1.0, 0.0, 0.0])
    for n in range(6):
        np.testing.assert_allclose(
            run_reference("markov-n-step", P, np.array([1.0, 0.0, 0.0]), n), pi, atol=1e-14
        )
        pi = pi @ P


@pytest.mark.parametrize(
    "P",
    [
        np.array([[0.9, 0.1], [0.5, 0.5]]),
        np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5], [0.0, 1.0, 0.0]]),
        (lambda M: M / M.sum(axis=1, keepdims=True))(np.random.default_rng(4).random((5, 5))),
    ],
)
def test_it_stationary_distribution_is_scipys_left_eigenvector(P):
    w, vl = linalg.eig(P, left=True, right=False)
    v = np.real(vl[:, np.argmin(np.abs(w - 1))])
    pi = run_reference("markov-stationary-distribution", P)
    np.testing.assert_allclose(pi, v / v.sum(), atol=1e-10)
    np.testing.assert_allclose(pi @ P, pi, atol=1e-12)


def test_it_stationary_quiz_answer_is_correct():
    P = np.array([[0.8, 0.2], [0.4, 0.6]])
    pi = run_reference("markov-stationary-distribution", P)
    assert exercise("quiz-adv-stationary")["answer"]["value"] == pytest.approx(pi[0])


@pytest.mark.parametrize(
    "Q, convex",
    [
        (np.eye(2), True),
        (np.array([[2.0, 3.0], [3.0, 2.0]]), False),
        (np.array([[1.0, 4.0], [-4.0, 1.0]]), True),
        (np.ones((4, 4)), True),
        (-np.eye(3), False),
    ],
)
def test_it_convexity_check_agrees_with_scipy_eigenvalues(Q, convex):
    lam = linalg.eigvalsh((Q + Q.T) / 2)
    assert (lam.min() >= -1e-9 * max(1.0, np.abs(lam).max())) == convex
    assert run_reference("convex-quadratic-test", Q) is convex
