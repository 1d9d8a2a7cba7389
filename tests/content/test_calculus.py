"""The calculus module's references and expected answers agree with numpy, scipy and SymPy."""

import itertools

import numpy as np
import pytest
import sympy
from scipy import optimize

try:
    from tests.content.helpers import exercise, run_reference
except ImportError:  # tests/content collected as a rootdir-less directory
    from helpers import exercise, run_reference

x, y, t, w, a, b = sympy.symbols("x y t w a b", positive=True)
SYMBOLS = {"x": x, "y": y, "t": t, "w": w, "a": a, "b": b}


def _rng():
    return np.random.default_rng(3)


# --- code exercises ----------------------------------------------------------------------


@pytest.mark.parametrize("n, dx", [(2, 0.5), (3, 1.0), (25, 0.01), (100, 0.3)])
def test_it_estimates_derivatives_on_a_grid_like_numpy_gradient(n, dx):
    samples = _rng().normal(size=n).cumsum()
    got = run_reference("calc-finite-differences", samples, dx)
    np.testing.assert_allclose(got, np.gradient(samples, dx), rtol=1e-12, atol=1e-12)


def test_it_converges_to_the_true_derivative_as_the_grid_is_refined():
    errors = []
    for n in (21, 41, 81):
        grid = np.linspace(0.0, 2.0, n)
        got = run_reference("calc-finite-differences", np.sin(grid), float(grid[1] - grid[0]))
        errors.append(np.abs(got[1:-1] - np.cos(grid[1:-1])).max())
    # central differences: halving the step divides the interior error by about four
    assert errors[1] < errors[0] / 3.5 and errors[2] < errors[1] / 3.5


@pytest.mark.parametrize("n", [1, 3, 6])
def test_it_computes_the_quadratic_gradient_like_scipy_approx_fprime(n):
    rng = _rng()
    A, vec_b, point = rng.normal(size=(n, n)), rng.normal(size=n), rng.normal(size=n)

    def f(v):
        return 0.5 * v @ A @ v - vec_b @ v

    got = run_reference("calc-quadratic-gradient", A, vec_b, point)
    np.testing.assert_allclose(got, optimize.approx_fprime(point, f, 1e-7), atol=1e-5)
    assert optimize.check_grad(f, lambda v: 0.5 * (A + A.T) @ v - vec_b, point) < 1e-5


def test_it_runs_gradient_descent_to_the_minimiser_found_by_scipy():
    rng = _rng()
    M = rng.normal(size=(5, 5))
    A = M @ M.T + np.eye(5)
    vec_b = rng.normal(size=5)
    alpha = 1.0 / np.linalg.eigvalsh(A).max()
    x_final, steps = run_reference("calc-gradient-descent", A, vec_b, np.zeros(5), float(alpha), 1e-10, 100_000)
    assert 0 < steps < 100_000
    np.testing.assert_allclose(x_final, np.linalg.solve(A, vec_b), atol=1e-8)
    best = optimize.minimize(lambda v: 0.5 * v @ A @ v - vec_b @ v, np.zeros(5), jac=lambda v: A @ v - vec_b, tol=1e-12)
    np.testing.assert_allclose(x_final, best.x, atol=1e-5)


def test_it_counts_the_updates_of_gradient_descent_exactly():
    # J(x) = x^2 - 6x has gradient 2(x - 3); with alpha = 0.25 each update halves the distance
    # to 3, so the gradient, -6 at the start, first drops below 1e-3 after 13 updates (6 / 2^13)
    x_final, steps = run_reference(
        "calc-gradient-descent", np.array([[2.0]]), np.array([6.0]), np.array([0.0]), 0.25, 1e-3, 1000
    )
    assert steps == 13
    np.testing.assert_allclose(x_final, [3.0 - 3.0 / 2**13])
    start = np.array([1.0, 2.0])
    same, zero = run_reference("calc-gradient-descent", np.eye(2), start, start, 0.5, 1e-9, 10)
    assert zero == 0
    np.testing.assert_array_equal(same, [1.0, 2.0])


# --- symbolic and numeric answers -----------------------------------------------------------


def _param_values(slug):
    params = exercise(slug).get("params") or {}
    names = list(params)
    for values in itertools.product(*[range(lo, hi + 1) for lo, hi in params.values()]):
        yield dict(zip(names, values, strict=True))


def _expected(slug, values):
    text = exercise(slug)["answer"]["expected"]
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", str(value))
    parsed = sympy.sympify(text.replace("^", "**"), locals=SYMBOLS)
    return sympy.Matrix(parsed) if isinstance(parsed, list | tuple) else parsed


def _same(left, right):
    difference = sympy.simplify(left - right)
    if isinstance(difference, sympy.MatrixBase):
        return difference.is_zero_matrix
    return difference == 0


DERIVATIVES = {
    "calc-power-rule": lambda p: p["a"] * x ** p["n"] - p["b"] * x + 7,
    "calc-power-rule-roots": lambda p: sympy.sqrt(x) + p["c"] / x**2,
    "calc-trig-rules": lambda p: p["a"] * sympy.sin(x) - p["b"] * sympy.cos(x),
    "calc-exp-log-rules": lambda p: p["a"] ** x + sympy.log(x, 2) + sympy.exp(x),
    "calc-chain-rule-power": lambda p: (x**2 + p["c"]) ** p["n"],
    "calc-chain-rule-softplus": lambda p: sympy.log(1 + sympy.exp(p["k"] * x)),
    "calc-product-rule": lambda p: x ** p["n"] * sympy.exp(x),
    "calc-quotient-rule": lambda p: x / (x**2 + p["c"]),
    "calc-quiz-chain-rule": lambda p: sympy.sin(p["a"] * x**2),
    "calc-quiz-product-with-log": lambda p: x * sympy.log(x),
}


@pytest.mark.parametrize("slug", sorted(DERIVATIVES))
def test_it_expects_the_derivative_sympy_computes(slug):
    for values in _param_values(slug):
        assert _same(_expected(slug, values), sympy.diff(DERIVATIVES[slug](values), x)), values


def test_it_expects_the_right_partial_derivatives_and_gradient():
    for values in _param_values("calc-partial-derivatives"):
        f = x**3 * y**2 + values["a"] * x * y - y + sympy.exp(x)
        assert _same(_expected("calc-partial-derivatives", values), sympy.diff(f, y))
    for values in _param_values("calc-gradient-symbolic"):
        f = values["a"] * x**2 * y + y**3 + sympy.cos(x)
        gradient = sympy.Matrix([sympy.diff(f, x), sympy.diff(f, y)])
        assert _same(_expected("calc-gradient-symbolic", values), gradient)
    f = sympy.exp(x * y) + x**2
    assert _same(_expected("calc-quiz-partial-derivative", {}), sympy.diff(f, x))


def test_it_expects_integrals_sympy_agrees_with():
    for values in _param_values("calc-indefinite-integral"):
        integrand = values["a"] * x**2 + sympy.exp(x) + 1 / x
        assert _same(sympy.diff(_expected("calc-indefinite-integral", values), x), integrand)
    for values in _param_values("calc-area-under-exponential"):
        k = values["k"]
        area = sympy.integrate(k * sympy.exp(-k * x), (x, 0, t))
        assert _same(_expected("calc-area-under-exponential", values), area)
    assert _same(_expected("calc-marginal-density", {}), sympy.integrate(x + y, (y, 0, 1)))
    total = sympy.integrate(x * y**2, (y, 0, w), (x, 0, 1))
    assert _same(_expected("calc-normalising-constant", {}), 1 / total)
    for values in _param_values("calc-joint-probability"):
        k = values["k"]
        probability = sympy.integrate(k * sympy.exp(-x - k * y), (y, 0, b), (x, 0, a))
        assert _same(_expected("calc-joint-probability", values), probability)


def test_it_states_the_numeric_answers_correctly():
    theta = 0.0
    for _ in range(3):
        theta -= 0.1 * (2 * theta - 4)
    assert exercise("calc-descent-by-hand")["answer"]["value"] == pytest.approx(theta, abs=1e-12)
    area = exercise("calc-quiz-definite-integral")["answer"]["value"]
    assert area == pytest.approx(float(sympy.integrate(x**2 + 1, (x, 0, 2))), rel=1e-9)
    step = np.array([1.0, 1.0]) - 0.1 * np.array([2.0 * 1.0, 6.0 * 1.0])
    np.testing.assert_allclose(exercise("calc-quiz-one-descent-step")["answer"]["value"], step)
    assert exercise("calc-quiz-forward-difference")["answer"]["value"] == pytest.approx((1.1**3 - 1.0) / 0.1)


def test_it_expects_antiderivatives_by_substitution_and_parts_that_sympy_confirms():
    for values in _param_values("calc-substitution"):
        integrand = x * sympy.exp(-values["k"] * x**2)
        assert _same(sympy.diff(_expected("calc-substitution", values), x), integrand)
        assert _same(sympy.diff(sympy.integrate(integrand, x) - _expected("calc-substitution", values), x), 0)
    for values in _param_values("calc-integration-by-parts"):
        integrand = x * sympy.cos(values["a"] * x)
        assert _same(sympy.diff(_expected("calc-integration-by-parts", values), x), integrand)
    assert _same(sympy.diff(_expected("calc-quiz-integral-of-log", {}), x), sympy.log(x))


def test_it_states_the_integral_with_a_logarithm_as_scipy_quad_computes_it():
    from scipy import integrate

    value, _ = integrate.quad(lambda s: s * np.log(s), 1.0, np.e)
    assert exercise("calc-parts-with-a-logarithm")["answer"]["value"] == pytest.approx(value, rel=1e-12)
    assert value == pytest.approx(float(sympy.integrate(x * sympy.log(x), (x, 1, sympy.E))), rel=1e-12)


@pytest.mark.parametrize("typed, passes", [("2.0973", True), ("2.097", False), ("2.0972", False), ("1.8473", False)])
def test_it_accepts_the_integral_rounded_to_four_decimals(typed, passes):
    from grader.answers import grade_numeric

    assert (grade_numeric(exercise("calc-parts-with-a-logarithm"), typed).score == 1.0) is passes
