"""The activations module's reference solutions agree with independent implementations."""

import numpy as np
import pytest
import sympy
from scipy import special

from tests.content.helpers import exercise, run_reference

LOGITS = [
    np.array([0.0]),
    np.linspace(-6.0, 6.0, 13),
    np.array([-1000.0, -745.0, -30.0, 30.0, 745.0, 1000.0]),
    np.random.default_rng(7).normal(scale=4.0, size=(3, 5)),
]


def _sympy(text):
    return sympy.sympify(text.replace("^", "**"), locals={"x": sympy.Symbol("x"), "s": sympy.Symbol("s")})


@pytest.mark.parametrize("z", LOGITS)
def test_it_sigmoid_matches_scipy_expit(z):
    got = run_reference("stable-sigmoid", z)
    np.testing.assert_allclose(got, special.expit(z), rtol=1e-12, atol=1e-300)
    assert np.all(np.isfinite(got))


@pytest.mark.parametrize("z", LOGITS)
def test_it_tanh_and_its_derivative_match_numpy(z):
    t, dt = run_reference("tanh-value-and-grad", z)
    np.testing.assert_allclose(t, np.tanh(z), rtol=1e-12)
    sech2 = 1.0 / np.cosh(np.clip(z, -300, 300)) ** 2
    np.testing.assert_allclose(dt, sech2, rtol=1e-9, atol=1e-15)


def test_it_tanh_derivative_agrees_with_central_differences():
    z = np.linspace(-3.0, 3.0, 25)
    h = 1e-6
    _, dt = run_reference("tanh-value-and-grad", z)
    np.testing.assert_allclose(dt, (np.tanh(z + h) - np.tanh(z - h)) / (2 * h), rtol=1e-6, atol=1e-9)


def test_it_relu_and_its_derivative_match_the_definition():
    z = np.array([[-2.0, -1e-9, 0.0, 1e-9, 3.5]])
    np.testing.assert_array_equal(run_reference("relu-forward", z), [[0.0, 0.0, 0.0, 1e-9, 3.5]])
    np.testing.assert_array_equal(run_reference("relu-derivative", z), [[0.0, 0.0, 0.0, 1.0, 1.0]])


@pytest.mark.parametrize("alpha", [0.0, 0.01, 0.3, 2.0])
def test_it_leaky_relu_matches_an_element_by_element_loop(alpha):
    z = np.random.default_rng(3).normal(size=11)
    z[0] = 0.0
    expected = [v if v > 0 else alpha * v for v in z]
    np.testing.assert_allclose(run_reference("leaky-relu", z, alpha=alpha), expected, rtol=1e-15)


@pytest.mark.parametrize("z", [*LOGITS[1:], np.full((2, 3), -1000.0)])
def test_it_softmax_matches_scipy(z):
    got = run_reference("stable-softmax", z)
    np.testing.assert_allclose(got, special.softmax(z, axis=-1), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(got.sum(axis=-1), 1.0)


@pytest.mark.parametrize("z", [*LOGITS[1:], np.array([0.0, -1000.0])])
def test_it_log_softmax_matches_scipy(z):
    np.testing.assert_allclose(run_reference("log-softmax", z), special.log_softmax(z, axis=-1), rtol=1e-10)


def test_it_sigmoid_derivative_answers_are_the_true_derivative():
    x = sympy.Symbol("x")
    sigma = 1 / (1 + sympy.exp(-x))
    raw = _sympy(exercise("sigmoid-derivative-raw")["answer"]["expected"])
    assert sympy.simplify(raw - sympy.diff(sigma, x)) == 0
    in_s = _sympy(exercise("sigmoid-derivative-from-output")["answer"]["expected"])
    assert sympy.simplify(in_s.subs(sympy.Symbol("s"), sigma) - sympy.diff(sigma, x)) == 0


def test_it_tanh_derivative_answer_is_the_true_derivative():
    x = sympy.Symbol("x")
    f = (sympy.exp(x) - sympy.exp(-x)) / (sympy.exp(x) + sympy.exp(-x))
    expected = _sympy(exercise("tanh-derivative-symbolic")["answer"]["expected"])
    assert sympy.simplify((expected - sympy.diff(f, x)).rewrite(sympy.exp)) == 0


def test_it_softmax_jacobian_answer_is_the_true_jacobian():
    z1, z2 = sympy.symbols("z1 z2")
    p = sympy.Matrix([sympy.exp(z1), sympy.exp(z2)]) / (sympy.exp(z1) + sympy.exp(z2))
    jac = p.jacobian([z1, z2])
    rows = exercise("softmax-jacobian-two-classes")["answer"]["expected"]
    answer = sympy.Matrix([[sympy.sympify(c.replace("^", "**")) for c in row] for row in rows])
    assert sympy.simplify(answer - jac) == sympy.zeros(2, 2)


@pytest.mark.parametrize(
    "z", [np.array([1.0, 2.0, 3.0]), np.array([1000.0, 1001.0, 999.0]), np.array([-1000.0, -1000.5]), np.array([-4.0])]
)
def test_it_log_sum_exp_matches_scipy_with_the_softmax_as_gradient(z):
    value, gradient = run_reference("logsumexp-and-gradient", z)
    assert value == pytest.approx(special.logsumexp(z), rel=1e-12)
    np.testing.assert_allclose(gradient, special.softmax(z), rtol=1e-12)


def test_it_softmax_cross_entropy_gradient_matches_central_differences_of_scipy_log_softmax():
    from scipy import optimize

    rng = np.random.default_rng(3)
    Z, Y = rng.normal(size=(6, 4)), np.eye(4)[rng.integers(0, 4, size=6)]

    def loss(flat):
        return -np.sum(Y * special.log_softmax(flat.reshape(6, 4), axis=1)) / 6

    numeric = optimize.approx_fprime(Z.ravel(), loss, 1e-7).reshape(6, 4)
    np.testing.assert_allclose(run_reference("softmax-cross-entropy-gradient", Z, Y), numeric, atol=1e-6)
