"""The regularization module's reference solutions agree with independent implementations."""

import numpy as np
import pytest
import sympy
from scipy import optimize
from sklearn.linear_model import Lasso, Ridge
from sklearn.metrics import mean_squared_error

from tests.content.helpers import exercise, run_reference


def _rng():
    return np.random.default_rng(2024)


@pytest.mark.parametrize("lam", [0.0, 0.1, 3.0])
def test_it_l1_and_l2_penalties_match_numpy_norms(lam):
    w = _rng().normal(size=6)
    value, grad = run_reference("l1-penalty-and-gradient", w, lam)
    assert value == pytest.approx(lam * np.linalg.norm(w, 1))
    np.testing.assert_allclose(grad, lam * np.sign(w))
    value, grad = run_reference("l2-penalty-and-gradient", w, lam)
    assert value == pytest.approx(lam * np.linalg.norm(w) ** 2)
    np.testing.assert_allclose(grad, optimize.approx_fprime(w, lambda v: lam * v @ v, 1e-7), atol=1e-5)


@pytest.mark.parametrize("shape, lam", [((30, 4), 0.5), ((5, 9), 2.0), ((50, 3), 100.0)])
def test_it_ridge_fit_matches_sklearn_ridge(shape, lam):
    rng = _rng()
    X = rng.normal(size=shape)
    y = rng.normal(size=shape[0])
    expected = Ridge(alpha=lam, fit_intercept=False).fit(X, y).coef_
    np.testing.assert_allclose(run_reference("ridge-closed-form", X, y, lam), expected, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("a, t", [(3.0, 1.0), (-0.4, 1.0), (0.5, 0.5), (-7.25, 0.3)])
def test_it_soft_threshold_minimises_the_one_dimensional_lasso(a, t):
    lam = 2 * t
    best = optimize.minimize_scalar(
        lambda w: (w - a) ** 2 + lam * abs(w),
        bounds=(-10, 10),
        method="bounded",
        options={"xatol": 1e-10},
    )
    got = run_reference("soft-threshold", np.array([a]), t)
    np.testing.assert_allclose(got, [best.x], atol=1e-6)


def test_it_lasso_ista_converges_to_sklearn_lasso():
    rng = _rng()
    X = rng.normal(size=(40, 6))
    y = X @ np.array([2.0, 0.0, -1.5, 0.0, 0.0, 0.7]) + 0.1 * rng.normal(size=40)
    lam = 0.05
    expected = Lasso(alpha=lam, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(X, y).coef_
    got = run_reference("lasso-ista", X, y, lam, 0.2, 3000)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    np.testing.assert_array_equal(got == 0, expected == 0)


def test_it_elastic_net_loss_matches_sklearn_mse_and_finite_differences():
    rng = _rng()
    X = rng.normal(size=(12, 3))
    y = rng.normal(size=12)
    w = np.array([0.7, -1.2, 0.4])
    b, lam1, lam2 = 0.3, 0.2, 0.5
    cost, grad_w, grad_b = run_reference("elastic-net-loss", X, y, w, b, lam1, lam2)
    penalty = lam1 * np.abs(w).sum() + lam2 * w @ w
    assert cost == pytest.approx(mean_squared_error(y, X @ w + b) + penalty)

    def objective(params):
        ww, bb = params[:-1], params[-1]
        return mean_squared_error(y, X @ ww + bb) + lam1 * np.abs(ww).sum() + lam2 * ww @ ww

    numeric = optimize.approx_fprime(np.append(w, b), objective, 1e-7)
    np.testing.assert_allclose(np.append(grad_w, grad_b), numeric, atol=1e-5)


def test_it_ridge_symbolic_answers_are_correct():
    w, x, y, lam = sympy.symbols("w x y lam")
    J = sympy.Rational(1, 2) * (w * x - y) ** 2 + lam * w**2
    expected = sympy.sympify(
        exercise("ridge-gradient-one-example")["answer"]["expected"].replace("^", "**"),
        locals={"lam": lam},
    )
    assert sympy.simplify(expected - sympy.diff(J, w)) == 0

    a = 7
    text = exercise("ridge-shrinkage-1d")["answer"]["expected"].replace("{{a}}", str(a))
    lam_pos = sympy.Symbol("lam", positive=True)
    minimiser = sympy.solve(sympy.diff((w - a) ** 2 + lam_pos * w**2, w), w)[0]
    assert sympy.simplify(sympy.sympify(text, locals={"lam": lam_pos}) - minimiser) == 0


@pytest.mark.parametrize("shape, lam", [((30, 4), 0.5), ((5, 9), 2.0)])
def test_it_ridge_gradient_vanishes_at_the_sklearn_ridge_fit(shape, lam):
    rng = _rng()
    X, y = rng.normal(size=shape), rng.normal(size=shape[0])
    coef = Ridge(alpha=lam, fit_intercept=False, tol=1e-12, solver="cholesky").fit(X, y).coef_
    np.testing.assert_allclose(run_reference("ridge-gradient", X, y, coef, lam), 0.0, atol=1e-8)
    w = rng.normal(size=shape[1])
    numeric = optimize.approx_fprime(w, lambda v: np.sum((X @ v - y) ** 2) + lam * v @ v, 1e-7)
    np.testing.assert_allclose(run_reference("ridge-gradient", X, y, w, lam), numeric, rtol=1e-5, atol=1e-4)


def test_it_units_example_is_sklearns_ridge_in_kilometres_and_barely_shrunk_in_metres():
    x, y = np.array([[0.1], [0.2], [0.3]]), np.array([1.0, 2.0, 3.0])
    kilometres = Ridge(alpha=0.1, fit_intercept=False).fit(x, y).coef_[0]
    assert exercise("ridge-units-and-the-penalty")["answer"]["value"] == pytest.approx(kilometres)
    metres = Ridge(alpha=0.1, fit_intercept=False).fit(1000 * x, y).coef_[0]
    assert 1000 * metres == pytest.approx(10.0, rel=1e-5)
