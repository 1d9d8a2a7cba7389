"""The optimization module's reference solutions agree with scikit-learn, scipy and numpy,
and the gradient-descent variants agree with each other where they must."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from sklearn.metrics import hinge_loss, log_loss, mean_absolute_error, mean_squared_error

from tests.content.helpers import exercise, run_reference


def _regression(seed, m=40, d=3, noise=0.1):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(m), rng.normal(size=(m, d - 1))])
    y = X @ rng.normal(size=d) + noise * rng.normal(size=m)
    return X, y


def test_it_mse_matches_sklearn_for_one_and_several_outputs():
    rng = np.random.default_rng(1)
    y = rng.normal(size=30)
    y_hat = y + rng.normal(size=30)
    assert float(run_reference("opt-mse", y, y_hat)) == pytest.approx(mean_squared_error(y, y_hat), rel=1e-12)
    Y = rng.normal(size=(30, 3))
    Y_hat = Y + rng.normal(size=(30, 3))
    np.testing.assert_allclose(
        run_reference("opt-mse", Y, Y_hat),
        mean_squared_error(Y, Y_hat, multioutput="raw_values"),
        rtol=1e-12,
    )


def test_it_weighted_mae_matches_sklearn():
    rng = np.random.default_rng(2)
    y = rng.normal(size=25)
    y_hat = y + rng.standard_t(2, size=25)
    w = rng.random(25)
    assert run_reference("opt-weighted-mae", y, y_hat) == pytest.approx(mean_absolute_error(y, y_hat), rel=1e-12)
    assert run_reference("opt-weighted-mae", y, y_hat, weights=w) == pytest.approx(
        mean_absolute_error(y, y_hat, sample_weight=w), rel=1e-12
    )


def test_it_binary_cross_entropy_matches_sklearn_log_loss():
    rng = np.random.default_rng(3)
    y = (rng.random(50) < 0.5).astype(int)
    p = rng.uniform(0.01, 0.99, size=50)
    assert run_reference("opt-binary-cross-entropy", y, p) == pytest.approx(log_loss(y, p), rel=1e-10)


def test_it_binary_cross_entropy_is_finite_at_exact_zero_and_one():
    loss = run_reference("opt-binary-cross-entropy", np.array([1, 0]), np.array([0.0, 1.0]))
    assert loss == pytest.approx(-np.log(1e-12), rel=1e-4)


def test_it_hinge_loss_matches_sklearn():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] + 0.5 * rng.normal(size=40) > 0, 1, -1)
    w, b = rng.normal(size=3), 0.2
    loss, _, _ = run_reference("opt-hinge-loss", X, y, w, b)
    assert loss == pytest.approx(hinge_loss(y, X @ w + b), rel=1e-12)


def test_it_hinge_subgradient_matches_finite_differences_away_from_kinks():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 2))
    y = np.where(rng.random(30) < 0.5, 1, -1)
    w, b = np.array([0.7, -0.4]), 0.1
    assert np.min(np.abs(1 - y * (X @ w + b))) > 1e-3  # no example sits on a kink

    def loss(theta):
        return np.mean(np.maximum(0.0, 1.0 - y * (X @ theta[:2] + theta[2])))

    _, grad_w, grad_b = run_reference("opt-hinge-loss", X, y, w, b)
    numeric = approx_fprime(np.array([*w, b]), loss, 1e-7)
    np.testing.assert_allclose(np.array([*grad_w, grad_b]), numeric, atol=1e-6)


def test_it_batch_gd_converges_to_the_least_squares_solution():
    X, y = _regression(6)
    w, costs = run_reference("opt-batch-gradient-descent", X, y, np.zeros(3), 0.3, 2000)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(w, w_star, rtol=1e-6, atol=1e-8)
    assert np.all(np.diff(costs) <= 1e-15)
    assert costs[-1] == pytest.approx(np.sum((X @ w_star - y) ** 2) / (2 * len(y)), rel=1e-8)


def test_it_sgd_converges_on_a_noise_free_problem():
    X, y = _regression(7, m=20, noise=0.0)
    rng = np.random.default_rng(7)
    order = np.concatenate([rng.permutation(20) for _ in range(300)])
    w = run_reference("opt-stochastic-gradient-descent", X, y, np.zeros(3), 0.05, order)
    np.testing.assert_allclose(w, np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-6)


def test_it_minibatch_with_the_whole_set_as_one_batch_equals_batch_gd():
    X, y = _regression(8, m=15)
    perms = np.array([np.random.default_rng(i).permutation(15) for i in range(25)])
    w_mini = run_reference("opt-minibatch-gradient-descent", X, y, np.zeros(3), 0.1, 15, perms)
    w_batch, _ = run_reference("opt-batch-gradient-descent", X, y, np.zeros(3), 0.1, 25)
    np.testing.assert_allclose(w_mini, w_batch, rtol=1e-10, atol=1e-12)


def test_it_minibatch_with_batch_size_one_equals_sgd():
    X, y = _regression(9, m=12)
    perms = np.array([np.random.default_rng(100 + i).permutation(12) for i in range(6)])
    w_mini = run_reference("opt-minibatch-gradient-descent", X, y, np.zeros(3), 0.03, 1, perms)
    w_sgd = run_reference("opt-stochastic-gradient-descent", X, y, np.zeros(3), 0.03, perms.ravel())
    np.testing.assert_allclose(w_mini, w_sgd, rtol=1e-10, atol=1e-12)


def test_it_momentum_converges_to_the_solution_of_a_x_equals_b():
    rng = np.random.default_rng(10)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    A = Q @ np.diag([0.5, 2.0, 20.0]) @ Q.T
    b = rng.normal(size=3)
    path = run_reference("opt-momentum-quadratic", A, b, np.zeros(3), 0.05, 0.8, 400)
    assert path.shape == (401, 3)
    np.testing.assert_allclose(path[-1], np.linalg.solve(A, b), atol=1e-8)


def test_it_momentum_with_beta_zero_is_plain_gradient_descent():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    path = run_reference("opt-momentum-quadratic", A, b, np.array([2.0, 2.0]), 0.1, 0.0, 10)
    w = np.array([2.0, 2.0])
    for t in range(1, 11):
        w = w - 0.1 * (A @ w - b)
        np.testing.assert_allclose(path[t], w, rtol=1e-12)


def test_it_rmsprop_average_follows_its_closed_form_for_a_constant_gradient():
    g = np.array([0.5, -2.0, 1e-3])
    w, s = np.zeros(3), np.zeros(3)
    for _ in range(5):
        w, s = run_reference("opt-rmsprop-step", w, g, s, lr=0.01, rho=0.9)
    np.testing.assert_allclose(s, (1 - 0.9**5) * g**2, rtol=1e-12)


def test_it_adam_first_step_moves_every_weight_by_the_learning_rate():
    g = np.array([1e-3, -50.0, 2.0])
    w, m, v = run_reference("opt-adam-step", np.ones(3), g, np.zeros(3), np.zeros(3), 1, lr=0.01)
    np.testing.assert_allclose(w, 1.0 - 0.01 * np.sign(g), rtol=1e-5)
    np.testing.assert_allclose(m, 0.1 * g, rtol=1e-12)
    np.testing.assert_allclose(v, 0.001 * g**2, rtol=1e-12)


def test_it_adam_reaches_the_minimum_of_a_quadratic():
    target = np.array([1.5, -0.5])
    w, m, v = np.zeros(2), np.zeros(2), np.zeros(2)
    for t in range(1, 301):
        w, m, v = run_reference("opt-adam-step", w, 2 * (w - target), m, v, t, lr=0.05)
    np.testing.assert_allclose(w, target, atol=2e-2)


def test_it_slices_the_loss_landscape_like_sklearn_mean_squared_error():
    X, y = _regression(30, m=25, d=4)
    rng = np.random.default_rng(31)
    w, d1, d2 = rng.normal(size=4), rng.normal(size=4), rng.normal(size=4)
    a_values, b_values = np.linspace(-2.0, 2.0, 5), np.linspace(-1.0, 1.0, 3)
    grid = run_reference("opt-loss-plane", X, y, w, d1, d2, a_values, b_values)
    expected = [[mean_squared_error(y, X @ (w + a * d1 + b * d2)) for b in b_values] for a in a_values]
    np.testing.assert_allclose(grid, expected, rtol=1e-10)


def test_it_finds_the_least_squares_minimum_at_the_centre_of_its_slice():
    X, y = _regression(32)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    rng = np.random.default_rng(33)
    offsets = np.linspace(-1.0, 1.0, 5)
    grid = run_reference("opt-loss-plane", X, y, w_star, rng.normal(size=3), rng.normal(size=3), offsets, offsets)
    assert np.unravel_index(np.argmin(grid), grid.shape) == (2, 2)  # convex bowl, minimum at a = b = 0


def test_it_states_the_condition_number_numpy_linalg_computes():
    X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    hessian = 2.0 / 3.0 * X.T @ X
    eigenvalues = np.linalg.eigvalsh(hessian)
    kappa = exercise("opt-valley-condition-number")["answer"]["value"]
    assert kappa == pytest.approx(eigenvalues[-1] / eigenvalues[0], rel=1e-12)
    assert kappa == pytest.approx(np.linalg.cond(hessian), rel=1e-12)
    assert kappa == pytest.approx(np.linalg.cond(X) ** 2, rel=1e-12)


@pytest.mark.parametrize("typed, passes", [("8.55", True), ("8.5497", True), ("8.6", False), ("2.92", False)])
def test_it_accepts_the_condition_number_rounded_to_two_decimals(typed, passes):
    from grader.answers import grade_numeric

    assert (grade_numeric(exercise("opt-valley-condition-number"), typed).score == 1.0) is passes
