"""The ml-equations module's reference solutions agree with scikit-learn, scipy and sympy."""

import numpy as np
import pytest
import sympy
from scipy import optimize, special
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import hinge_loss, log_loss, mean_squared_error
from sklearn.metrics.pairwise import polynomial_kernel, rbf_kernel
from sklearn.svm import SVC

from tests.content.helpers import exercise, run_reference


def _regression_data(seed=0, m=30, n=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = X @ rng.normal(size=n) + 0.5 + 0.1 * rng.normal(size=m)
    return X, y


def _classification_data(seed=1, m=80, n=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = (X @ np.array([1.5, -1.0][:n]) + 0.3 * rng.normal(size=m) > 0).astype(float)
    return X, y


def test_it_linreg_cost_is_half_the_sklearn_mse():
    X, y = _regression_data()
    w = np.array([0.2, -0.4, 1.0])
    got = run_reference("linreg-cost", X, y, w, 0.3)
    assert got == pytest.approx(mean_squared_error(y, X @ w + 0.3) / 2)


def test_it_linreg_gradient_matches_finite_differences_of_the_cost():
    X, y = _regression_data(seed=3)
    w, b = np.array([0.5, 0.1, -0.2]), -0.7

    def cost(p):
        return mean_squared_error(y, X @ p[:-1] + p[-1]) / 2

    grad_w, grad_b = run_reference("linreg-gradient", X, y, w, b)
    numeric = optimize.approx_fprime(np.append(w, b), cost, 1e-7)
    np.testing.assert_allclose(np.append(grad_w, grad_b), numeric, atol=1e-5)


def test_it_linreg_gradient_vanishes_at_the_sklearn_least_squares_fit():
    X, y = _regression_data(seed=4)
    model = LinearRegression().fit(X, y)
    grad_w, grad_b = run_reference("linreg-gradient", X, y, model.coef_, model.intercept_)
    np.testing.assert_allclose(grad_w, 0.0, atol=1e-10)
    assert grad_b == pytest.approx(0.0, abs=1e-10)


def test_it_logreg_probabilities_match_scipy_expit():
    X, _ = _classification_data()
    w = np.array([40.0, -25.0])
    np.testing.assert_allclose(run_reference("logreg-predict-proba", X, w, 0.2), special.expit(X @ w + 0.2), rtol=1e-12)


def test_it_logreg_cost_matches_sklearn_log_loss():
    X, y = _classification_data()
    w, b = np.array([0.8, -0.3]), 0.1
    cost, _, _ = run_reference("logreg-cost-gradient", X, y, w, b)
    assert cost == pytest.approx(log_loss(y, special.expit(X @ w + b)), rel=1e-9)


def test_it_logreg_gradient_vanishes_at_the_sklearn_maximum_likelihood_fit():
    X, y = _classification_data(seed=5)
    model = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    _, grad_w, grad_b = run_reference("logreg-cost-gradient", X, y, model.coef_[0], float(model.intercept_[0]))
    np.testing.assert_allclose(grad_w, 0.0, atol=1e-5)
    assert grad_b == pytest.approx(0.0, abs=1e-5)


def _forward_one_example(x, weights, biases):
    a = x
    for index, (W, b) in enumerate(zip(weights, biases, strict=True)):
        z = W @ a + b[:, 0]
        a = special.expit(z) if index == len(weights) - 1 else np.where(z > 0, z, 0.0)
    return a


def test_it_forward_pass_matches_an_example_by_example_computation():
    rng = np.random.default_rng(9)
    sizes = [3, 5, 4, 2]
    weights = [rng.normal(size=(sizes[i + 1], sizes[i])) for i in range(3)]
    biases = [rng.normal(size=(sizes[i + 1], 1)) for i in range(3)]
    X = rng.normal(size=(3, 7))
    got = run_reference("dense-forward-pass", X, weights, biases)
    expected = np.column_stack([_forward_one_example(x, weights, biases) for x in X.T])
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_it_backprop_matches_finite_differences_of_the_cost():
    rng = np.random.default_rng(12)
    n0, n1, n2, m = 3, 4, 2, 6
    X = rng.normal(size=(n0, m))
    Y = (rng.uniform(size=(n2, m)) < 0.5).astype(float)
    params = [
        rng.normal(size=(n1, n0)),
        rng.normal(size=(n1, 1)),
        rng.normal(size=(n2, n1)),
        rng.normal(size=(n2, 1)),
    ]
    shapes = [p.shape for p in params]
    sizes = [p.size for p in params]

    def unpack(theta):
        parts = np.split(theta, np.cumsum(sizes)[:-1])
        return [part.reshape(shape) for part, shape in zip(parts, shapes, strict=True)]

    def cost(theta):
        W1, b1, W2, b2 = unpack(theta)
        A2 = special.expit(W2 @ np.tanh(W1 @ X + b1) + b2)
        return -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m

    theta = np.concatenate([p.ravel() for p in params])
    numeric = unpack(optimize.approx_fprime(theta, cost, 1e-7))
    got = run_reference("backprop-two-layer", X, Y, *params)
    for analytic, approx in zip(got, numeric, strict=True):
        np.testing.assert_allclose(analytic, approx, atol=1e-5)


def test_it_svm_objective_matches_sklearn_hinge_loss():
    X, labels = _classification_data(seed=6)
    y = 2 * labels - 1
    w, b, C = np.array([0.7, -0.4]), 0.1, 2.5
    expected = 0.5 * w @ w + C * len(y) * hinge_loss(y, X @ w + b)
    assert run_reference("svm-soft-margin-objective", X, y, w, b, C) == pytest.approx(expected)


def test_it_svm_predict_agrees_with_the_sign_of_the_score():
    X, _ = _classification_data(seed=7)
    w, b = np.array([1.0, 2.0]), -0.5
    np.testing.assert_array_equal(run_reference("svm-decision-function", X, w, b), np.sign(X @ w + b))


@pytest.mark.parametrize("degree, c", [(1, 0.0), (2, 1.0), (3, 0.5)])
def test_it_polynomial_kernel_matches_sklearn(degree, c):
    rng = np.random.default_rng(degree)
    X, Z = rng.normal(size=(4, 3)), rng.normal(size=(6, 3))
    expected = polynomial_kernel(X, Z, degree=degree, gamma=1.0, coef0=c)
    got = run_reference("polynomial-kernel-matrix", X, Z, degree, c)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


@pytest.mark.parametrize("gamma", [0.1, 1.0, 5.0])
def test_it_rbf_kernel_matches_sklearn(gamma):
    rng = np.random.default_rng(21)
    X, Z = rng.normal(size=(5, 4)), rng.normal(size=(3, 4))
    got = run_reference("rbf-kernel-matrix", X, Z, gamma)
    np.testing.assert_allclose(got, rbf_kernel(X, Z, gamma=gamma), rtol=1e-9, atol=1e-300)


def _match_signs(reference, other):
    signs = np.sign(np.sum(reference * other, axis=0))
    return other * signs


@pytest.mark.parametrize("k", [1, 2, 3])
def test_it_pca_matches_sklearn_up_to_sign_and_the_1_over_m_convention(k):
    rng = np.random.default_rng(30 + k)
    X = rng.normal(size=(50, 4)) * np.array([4.0, 2.0, 1.0, 0.3]) + 10.0
    components, projected, variances = run_reference("pca-eigendecomposition", X, k)
    model = PCA(n_components=k).fit(X)
    m = X.shape[0]
    np.testing.assert_allclose(variances, model.explained_variance_ * (m - 1) / m, rtol=1e-9)
    np.testing.assert_allclose(_match_signs(model.components_.T, components), model.components_.T, atol=1e-8)
    np.testing.assert_allclose(_match_signs(model.transform(X), projected), model.transform(X), atol=1e-8)


def test_it_symbolic_gradients_are_the_true_derivatives():
    w, b, x, y = sympy.symbols("w b x y")
    J = sympy.Rational(1, 4) * ((w + b - 1) ** 2 + (2 * w + b - 3) ** 2)
    text = exercise("linreg-gradient-by-hand")["answer"]["expected"]
    assert sympy.simplify(sympy.sympify(text.replace("^", "**")) - sympy.diff(J, w)) == 0

    sigma = 1 / (1 + sympy.exp(-(w * x + b)))
    loss = -(y * sympy.log(sigma) + (1 - y) * sympy.log(1 - sigma))
    text = exercise("logreg-gradient-by-hand")["answer"]["expected"]
    difference = sympy.sympify(text.replace("^", "**")) - sympy.diff(loss, w)
    for values in [(0.3, -1.2, 0.5, 1), (-2.0, 0.7, 1.5, 0), (1.1, 2.0, -0.4, 1)]:
        subs = dict(zip((w, x, b, y), values, strict=True))
        assert abs(float(difference.subs(subs))) < 1e-12


def test_it_normal_equations_key_is_numpys_least_squares_fit():
    X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    y = np.array([1.0, 3.0, 4.0])
    expected, *_ = np.linalg.lstsq(X, y, rcond=None)
    np.testing.assert_allclose(exercise("normal-equations-by-hand")["answer"]["value"], expected)


def test_it_softmax_regression_gradient_matches_central_differences_of_sklearn_log_loss():
    rng = np.random.default_rng(7)
    X, labels = rng.normal(size=(25, 3)), rng.integers(0, 4, size=25)
    Y, W = np.eye(4)[labels], rng.normal(size=(3, 4))

    def cost(flat):
        return log_loss(labels, special.softmax(X @ flat.reshape(3, 4), axis=1), labels=range(4))

    numeric = optimize.approx_fprime(W.ravel(), cost, 1e-7).reshape(3, 4)
    np.testing.assert_allclose(run_reference("softmax-regression-gradient", X, Y, W), numeric, atol=1e-5)


def test_it_softmax_regression_gradient_vanishes_at_the_sklearn_fit():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(60, 2))
    labels = np.argmax(X @ np.array([[2.0, -1.0, 0.0], [0.0, 1.0, -2.0]]) + rng.normal(size=(60, 3)), axis=1)
    model = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=10_000).fit(X, labels)
    grad = run_reference("softmax-regression-gradient", X, np.eye(3)[labels], model.coef_.T)
    np.testing.assert_allclose(grad, 0.0, atol=1e-5)


def _svm_data(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 2))
    y = np.where((X**2).sum(axis=1) > 1.2, 1.0, -1.0)
    return X, y, rng.normal(size=(15, 2))


@pytest.mark.parametrize("C, gamma", [(1.0, 0.5), (10.0, 2.0), (0.1, 1.0)])
def test_it_kernel_svm_decision_matches_sklearn_svc(C, gamma):
    X, y, T = _svm_data(3)
    svc = SVC(C=C, kernel="rbf", gamma=gamma, tol=1e-10).fit(X, y)
    alpha = np.zeros(len(y))
    alpha[svc.support_] = np.abs(svc.dual_coef_[0])  # dual_coef_ holds alpha_i * y_i
    got = run_reference("kernel-svm-decision", X, y, alpha, svc.intercept_[0], T, gamma)
    np.testing.assert_allclose(got, svc.decision_function(T), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed, C, gamma", [(4, 1.0, 0.5), (5, 10.0, 2.0), (6, 0.1, 1.0)])
def test_it_kernel_svm_training_matches_sklearn_svc(seed, C, gamma):
    X, y, T = _svm_data(seed)
    svc = SVC(C=C, kernel="rbf", gamma=gamma, tol=1e-10).fit(X, y)
    got = run_reference("kernel-svm-train", X, y, T, C, gamma)
    np.testing.assert_allclose(got, svc.decision_function(T), atol=1e-5)
    np.testing.assert_array_equal(np.where(got >= 0, 1.0, -1.0), svc.predict(T))


def test_it_rayleigh_gradient_matches_central_differences_and_vanishes_at_numpys_eigenvectors():
    rng = np.random.default_rng(9)
    A = rng.normal(size=(4, 4))
    S = A + A.T
    w = rng.normal(size=4)
    numeric = optimize.approx_fprime(w, lambda v: v @ S @ v / (v @ v), 1e-7)
    np.testing.assert_allclose(run_reference("rayleigh-gradient", S, w), numeric, atol=1e-5)
    _, vectors = np.linalg.eigh(S)
    for vector in vectors.T:
        np.testing.assert_allclose(run_reference("rayleigh-gradient", S, 3.0 * vector), 0.0, atol=1e-12)
