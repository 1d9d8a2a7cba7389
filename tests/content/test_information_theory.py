"""The information-theory references and answers agree with scipy, scikit-learn and sympy."""

import numpy as np
import pytest
import sympy
from scipy import stats
from sklearn.metrics import mutual_info_score

from tests.content.helpers import exercise, run_reference


def _distributions():
    rng = np.random.default_rng(31)
    p = rng.random(12)
    p[[2, 7]] = 0.0
    return [
        np.array([0.5, 0.5]),
        np.array([0.5, 0.25, 0.125, 0.125]),
        np.array([0.0, 1.0, 0.0]),
        p / p.sum(),
    ]


def _sym(text, *names):
    return sympy.sympify(text.replace("^", "**"), locals={n: sympy.Symbol(n, positive=True) for n in names})


@pytest.mark.parametrize("p", _distributions())
def test_it_entropy_matches_scipy_in_bits(p):
    assert run_reference("entropy-bits", p) == pytest.approx(stats.entropy(p, base=2), abs=1e-12)


@pytest.mark.parametrize("p", _distributions())
def test_it_cross_entropy_is_entropy_plus_kl(p):
    q = np.full(p.shape, 1.0 / p.size)
    expected = stats.entropy(p) + stats.entropy(p, q)
    assert run_reference("cross-entropy-distributions", p, q) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("p", _distributions())
def test_it_kl_divergence_matches_scipy_and_is_asymmetric(p):
    q = np.linspace(1.0, 2.0, p.size)
    q /= q.sum()
    forward = run_reference("kl-divergence", p, q)
    assert forward == pytest.approx(stats.entropy(p, q), rel=1e-10, abs=1e-14)
    assert forward >= 0.0
    if np.all(p > 0) and not np.allclose(p, q):
        assert run_reference("kl-divergence", q, p) != pytest.approx(forward)


@pytest.mark.parametrize("shape", [(2, 2), (3, 5), (4, 1)])
def test_it_mutual_information_matches_sklearn(shape):
    rng = np.random.default_rng(sum(shape))
    counts = rng.integers(1, 50, size=shape)
    counts[0, 0] = 0
    joint = counts / counts.sum()
    # sklearn works in nats on a table of counts.
    expected = mutual_info_score(None, None, contingency=counts) / np.log(2)
    assert run_reference("mutual-information-table", joint) == pytest.approx(expected, rel=1e-7, abs=1e-12)


def test_it_mutual_information_of_independent_variables_is_zero():
    joint = np.outer([0.1, 0.6, 0.3], [0.25, 0.75])
    assert run_reference("mutual-information-table", joint) == pytest.approx(0.0, abs=1e-12)


def test_it_numeric_answers_are_correct():
    die = np.array([0.5] + [0.1] * 5)
    assert exercise("entropy-by-hand")["answer"]["value"] == pytest.approx(stats.entropy(die, base=2))
    P, Q = np.array([0.8, 0.2]), np.array([0.5, 0.5])
    gap = stats.entropy(Q, P, base=2) - stats.entropy(P, Q, base=2)
    assert exercise("kl-asymmetry")["answer"]["value"] == pytest.approx(gap, rel=1e-5)
    assert exercise("quiz-info-fair-die")["answer"]["value"] == pytest.approx(np.log2(6))
    kl = stats.entropy([0.5, 0.25, 0.25], [1 / 3] * 3, base=2)
    assert exercise("quiz-info-cross-entropy-value")["answer"]["value"] == pytest.approx(kl)


def test_it_symbolic_answers_match_sympy():
    p = sympy.Symbol("p", positive=True)
    h = -p * sympy.log(p) - (1 - p) * sympy.log(1 - p)
    expected = _sym(exercise("binary-entropy-derivative")["answer"]["expected"], "p")
    assert sympy.simplify(sympy.diff(h, p) - expected) == 0
    kl = p * sympy.log(p / sympy.Rational(1, 2)) + (1 - p) * sympy.log((1 - p) / sympy.Rational(1, 2))
    expected = _sym(exercise("quiz-info-bernoulli-kl")["answer"]["expected"], "p")
    assert sympy.simplify(sympy.expand_log(kl - expected, force=True)) == 0


def _scipy_conditional_entropy(joint):
    return stats.entropy(joint.ravel(), base=2) - stats.entropy(joint.sum(axis=0), base=2)


@pytest.mark.parametrize(
    "joint",
    [
        np.array([[0.25, 0.25], [0.0, 0.5]]),
        np.outer([0.5, 0.5], [0.2, 0.8]),
        np.array([[0.2, 0.0, 0.3], [0.4, 0.0, 0.1]]),
        np.random.default_rng(5).dirichlet(np.ones(12)).reshape(4, 3),
    ],
)
def test_it_conditional_entropy_is_scipys_joint_minus_marginal_entropy(joint):
    assert run_reference("conditional-entropy", joint) == pytest.approx(_scipy_conditional_entropy(joint), abs=1e-12)


def test_it_conditional_entropy_key_matches_scipy():
    joint = np.array([[0.25, 0.25], [0.0, 0.5]])
    assert exercise("conditional-entropy-by-hand")["answer"]["value"] == pytest.approx(
        _scipy_conditional_entropy(joint)
    )


def test_it_entropy_gradient_matches_central_differences_of_scipy_entr():
    from scipy import optimize, special

    p = np.random.default_rng(6).uniform(0.05, 1.0, size=6)
    numeric = optimize.approx_fprime(p, lambda v: special.entr(v).sum(), 1e-8)
    np.testing.assert_allclose(run_reference("entropy-gradient", p), numeric, atol=1e-5)
