"""The advanced module's references and answers agree with numpy, scipy and sympy."""

import itertools

import numpy as np
import pytest
import sympy
from scipy import linalg

from tests.content.helpers import exercise, run_reference

x, y = sympy.symbols("x y")


def _matrix(rows, names=("x", "y")):
    loc = {n: sympy.Symbol(n) for n in names}
    return sympy.Matrix([[sympy.sympify(str(e).replace("^", "**"), locals=loc) for e in row] for row in rows])


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
        expected = sympy.sympify(exercise(slug)["answer"]["expected"].replace("^", "**"), locals={"x": x})
        assert sympy.expand(sympy.series(f, x, 0, order).removeO() - expected) == 0
    assert exercise("quiz-adv-taylor-sqrt")["answer"]["value"] == pytest.approx(3 + 0.3 / 6)


def test_it_lagrange_answer_matches_a_direct_solution():
    a, b, c, lam = sympy.symbols("a b c lam", positive=True)
    X, Y = sympy.symbols("X Y")
    L = X**2 + Y**2 - lam * (a * X + b * Y - c)
    sol = sympy.solve([sympy.diff(L, v) for v in (X, Y, lam)], [X, Y, lam], dict=True)[0]
    value = sympy.simplify((X**2 + Y**2).subs(sol))
    loc = {"a": a, "b": b, "c": c}
    expected = sympy.sympify(exercise("lagrange-closest-point")["answer"]["expected"].replace("^", "**"), locals=loc)
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
        np.testing.assert_allclose(run_reference("markov-n-step", P, np.array([1.0, 0.0, 0.0]), n), pi, atol=1e-14)
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


# --- Newton's method -----------------------------------------------------------------------


def test_it_states_two_newton_steps_that_scipy_newton_takes():
    from scipy import optimize

    x2 = optimize.newton(lambda s: np.exp(s) - 2, 0.0, fprime=np.exp, maxiter=2, disp=False)
    assert exercise("newton-two-steps")["answer"]["value"] == pytest.approx(x2, rel=1e-12)
    assert optimize.minimize_scalar(lambda s: np.exp(s) - 2 * s).x == pytest.approx(np.log(2), abs=1e-6)


def _logistic_data(seed, n=200):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, 3))
    labels = (rng.random(n) < 1 / (1 + np.exp(-(Z @ np.array([1.5, -2.0, 0.5]) - 0.3)))).astype(float)
    return np.column_stack([np.ones(n), Z]), labels


@pytest.mark.parametrize("seed", [1, 2])
def test_it_reaches_sklearns_unpenalised_logistic_regression_in_a_few_newton_steps(seed):
    from sklearn.linear_model import LogisticRegression

    X, labels = _logistic_data(seed)
    model = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=10_000).fit(X, labels)
    w = run_reference("newton-logistic-regression", X, labels, 10)
    np.testing.assert_allclose(w, model.coef_[0], rtol=1e-5, atol=1e-6)


def test_it_converges_quadratically():
    X, labels = _logistic_data(3)
    w_star = run_reference("newton-logistic-regression", X, labels, 30)
    errors = [np.abs(run_reference("newton-logistic-regression", X, labels, k) - w_star).max() for k in range(1, 8)]
    assert errors[-1] < 1e-12
    assert errors[4] < errors[3] ** 1.5 and errors[5] < errors[4] ** 1.5  # far faster than any linear rate


# --- constraints, KKT and duality ----------------------------------------------------------


def test_it_expects_the_kkt_multiplier_of_the_projection_onto_a_half_plane():
    from scipy import optimize

    c_sym = sympy.Symbol("c")
    expected = sympy.sympify(exercise("kkt-active-constraint")["answer"]["expected"], locals={"c": c_sym})
    for c in [-2.0, 1.0, 3.5]:
        result = optimize.minimize(
            lambda v: (v[0] - 3) ** 2 + (v[1] - 2) ** 2,
            np.zeros(2),
            constraints=[{"type": "ineq", "fun": lambda v, c=c: c - v[0] - v[1]}],
            method="SLSQP",
            tol=1e-12,
        )
        mu = float(expected.subs(c_sym, c))
        assert mu >= 0
        np.testing.assert_allclose(2 * (result.x - [3.0, 2.0]) + mu, 0.0, atol=1e-5)  # stationarity at scipy's optimum
    assert exercise("quiz-adv-kkt-multiplier")["answer"]["value"] == 2 * (2 - 1)


def test_it_expects_the_dual_function_and_strong_duality_holds():
    mu, a, s = sympy.symbols("mu a s")
    expected = sympy.sympify(
        exercise("lagrange-dual-function")["answer"]["expected"].replace("^", "**"), locals={"mu": mu, "a": a}
    )
    lagrangian = s**2 + mu * (a - s)
    minimiser = sympy.solve(sympy.diff(lagrangian, s), s)[0]
    assert sympy.simplify(lagrangian.subs(s, minimiser) - expected) == 0
    best_mu = sympy.solve(sympy.diff(expected, mu), mu)[0]
    assert sympy.simplify(expected.subs(mu, best_mu) - a**2) == 0  # max of the dual = the primal optimum a^2


# --- the SVM dual --------------------------------------------------------------------------


def _two_blobs(seed, n=30, spread=1.2):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(1.0, spread, size=(n // 2, 2)), rng.normal(-1.0, spread, size=(n // 2, 2))])
    return X, np.concatenate([np.ones(n // 2), -np.ones(n // 2)])


@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_it_recovers_the_weights_and_bias_of_sklearns_linear_svc(C):
    from sklearn.svm import SVC

    X, labels = _two_blobs(5)
    model = SVC(kernel="linear", C=C, tol=1e-10).fit(X, labels)
    alpha = np.zeros(len(labels))
    alpha[model.support_] = np.abs(model.dual_coef_[0])
    alpha[np.isclose(alpha, C, rtol=1e-9)] = C  # the test arrays hold exact bounds
    w, b = run_reference("svm-primal-from-dual", X, labels, alpha, C)
    np.testing.assert_allclose(w, model.coef_[0], rtol=1e-6, atol=1e-8)
    assert b == pytest.approx(model.intercept_[0], rel=1e-4, abs=1e-5)


def _dual_objective(alpha, X, labels):
    w = X.T @ (alpha * labels)
    return alpha.sum() - 0.5 * w @ w


def test_it_trains_the_same_svm_as_sklearns_linear_svc_with_hinge_loss():
    from sklearn.svm import LinearSVC

    X, labels = _two_blobs(6)
    alpha, w = run_reference("svm-dual-coordinate-ascent", X, labels, 1.0, 3000)
    model = LinearSVC(loss="hinge", C=1.0, fit_intercept=False, dual=True, tol=1e-12, max_iter=1_000_000).fit(X, labels)
    np.testing.assert_allclose(w, model.coef_[0], rtol=1e-4, atol=1e-6)
    primal = 0.5 * w @ w + np.maximum(0.0, 1 - labels * (X @ w)).sum()
    assert primal - _dual_objective(alpha, X, labels) < 1e-8  # strong duality: the gap closes
    assert np.all((alpha >= 0) & (alpha <= 1.0))


def test_it_never_decreases_the_dual_objective():
    X, labels = _two_blobs(7)
    values = [
        _dual_objective(run_reference("svm-dual-coordinate-ascent", X, labels, 0.5, k)[0], X, labels) for k in range(6)
    ]
    assert all(later >= earlier - 1e-12 for earlier, later in itertools.pairwise(values))


@pytest.mark.parametrize(
    "slug, typed, passes",
    [
        ("newton-two-steps", "0.7358", True),
        ("newton-two-steps", "0.6931", False),  # the exact minimiser, not the second iterate
        ("quiz-adv-kkt-multiplier", "2", True),
        ("quiz-adv-kkt-multiplier", "-2", False),
    ],
)
def test_it_accepts_answers_rounded_as_the_statements_ask(slug, typed, passes):
    from grader.answers import grade_numeric

    assert (grade_numeric(exercise(slug), typed).score == 1.0) is passes
