"""The probability module's reference solutions agree with numpy, scipy and scikit-learn."""

import statistics

import numpy as np
import pytest
from scipy import stats
from scipy.special import softmax
from sklearn.mixture import GaussianMixture
from sklearn.naive_bayes import GaussianNB

from tests.content.helpers import run_reference


def _distribution(rng, k):
    p = rng.random(k)
    return p / p.sum()


def test_it_expected_value_matches_numpy_weighted_average():
    rng = np.random.default_rng(1)
    probs = _distribution(rng, 6)
    values = rng.normal(size=6) * 4
    assert float(run_reference("prob-expected-value", values, probs)) == pytest.approx(
        np.average(values, weights=probs), rel=1e-12
    )
    vectors = rng.normal(size=(6, 3))
    np.testing.assert_allclose(
        run_reference("prob-expected-value", vectors, probs),
        np.average(vectors, axis=0, weights=probs),
        rtol=1e-12,
    )


def test_it_expected_value_and_variance_match_scipy_rv_discrete():
    xk = np.array([-3, 0, 1, 4, 10])
    pk = np.array([0.1, 0.25, 0.3, 0.2, 0.15])
    rv = stats.rv_discrete(values=(xk, pk))
    assert float(run_reference("prob-expected-value", xk.astype(float), pk)) == pytest.approx(rv.mean())
    var, std = run_reference("prob-variance-std", xk.astype(float), pk)
    assert var == pytest.approx(rv.var(), rel=1e-12)
    assert std == pytest.approx(rv.std(), rel=1e-12)


def test_it_variance_is_exact_for_values_with_a_huge_offset():
    values = 1.0e9 + np.array([0.0, 1.0, 2.0])
    var, std = run_reference("prob-variance-std", values, np.array([0.25, 0.5, 0.25]))
    assert var == pytest.approx(0.5, rel=1e-9)
    assert std == pytest.approx(np.sqrt(0.5), rel=1e-9)


@pytest.mark.parametrize("ddof", [0, 1])
@pytest.mark.parametrize("n", [2, 7, 10])
def test_it_sample_summary_matches_numpy_and_statistics(n, ddof):
    x = np.random.default_rng(n).normal(5.0, 3.0, size=n)
    mean, median, var, std = run_reference("prob-sample-summary", x, ddof=ddof)
    assert mean == pytest.approx(statistics.fmean(x), rel=1e-12)
    assert median == pytest.approx(statistics.median(x), rel=1e-12)
    assert var == pytest.approx(np.var(x, ddof=ddof), rel=1e-10)
    assert std == pytest.approx(np.std(x, ddof=ddof), rel=1e-10)


@pytest.mark.parametrize(
    "k, n, p",
    [
        (np.arange(11), 10, 0.35),
        (np.array([0, 1, 2, 3]), 3, 0.0),
        (np.array([0, 2, 3]), 3, 1.0),
        (np.array([-1, 0, 5, 6]), 5, 0.5),
        (np.array([850, 900, 950, 1000]), 3000, 0.3),
    ],
)
def test_it_binomial_pmf_matches_scipy(k, n, p):
    np.testing.assert_allclose(
        run_reference("prob-binomial-pmf", k, n, p), stats.binom.pmf(k, n, p), rtol=1e-9, atol=1e-15
    )


def test_it_binomial_pmf_sums_to_one_for_large_n():
    total = run_reference("prob-binomial-pmf", np.arange(2001), 2000, 0.42).sum()
    assert total == pytest.approx(1.0, rel=1e-9)


def test_it_bayes_posterior_matches_the_direct_formula_on_short_data():
    rng = np.random.default_rng(3)
    prior = _distribution(rng, 4)
    lik = rng.uniform(0.05, 1.0, size=(5, 4))
    direct = prior * lik.prod(axis=0)
    np.testing.assert_allclose(
        run_reference("prob-bayes-posterior", prior, lik), direct / direct.sum(), rtol=1e-10
    )


def test_it_bayes_posterior_matches_scipy_softmax_on_long_data():
    rng = np.random.default_rng(4)
    prior = np.array([0.2, 0.3, 0.5])
    lik = rng.uniform(0.01, 0.2, size=(2000, 3))
    np.testing.assert_allclose(
        run_reference("prob-bayes-posterior", prior, lik),
        softmax(np.log(prior) + np.log(lik).sum(axis=0)),
        rtol=1e-8,
        atol=1e-300,
    )


def test_it_covariance_and_correlation_match_numpy():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 4)) @ rng.normal(size=(4, 4)) + 7.0
    C, R = run_reference("prob-covariance-correlation", X)
    np.testing.assert_allclose(C, np.cov(X, rowvar=False), rtol=1e-10)
    np.testing.assert_allclose(R, np.corrcoef(X, rowvar=False), rtol=1e-10, atol=1e-12)


def test_it_correlation_matches_scipy_pearsonr():
    rng = np.random.default_rng(6)
    x = rng.normal(size=25)
    y = 0.6 * x + rng.normal(size=25)
    _, R = run_reference("prob-covariance-correlation", np.column_stack([x, y]))
    assert R[0, 1] == pytest.approx(stats.pearsonr(x, y)[0], rel=1e-10)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_it_z_interval_matches_scipy_norm_interval(level):
    x = np.random.default_rng(7).normal(10.0, 2.0, size=30)
    z_star = stats.norm.ppf((1 + level) / 2)
    low, high = run_reference("prob-z-confidence-interval", x, 2.0, z_star=z_star)
    exp_low, exp_high = stats.norm.interval(level, loc=x.mean(), scale=2.0 / np.sqrt(x.size))
    assert low == pytest.approx(exp_low, rel=1e-9)
    assert high == pytest.approx(exp_high, rel=1e-9)


@pytest.mark.parametrize("shift", [0.0, 0.3, -0.9, 1.0, 2.5])
def test_it_z_test_matches_scipy_normal_tail(shift):
    x = 50.0 + shift + np.random.default_rng(8).normal(0.0, 1.0, size=64)
    z, p = run_reference("prob-z-test", x, 50.0, 1.0)
    expected_z = (x.mean() - 50.0) / (1.0 / 8.0)
    assert z == pytest.approx(expected_z, rel=1e-10)
    assert p == pytest.approx(2 * stats.norm.sf(abs(expected_z)), rel=1e-9)


def test_it_beta_update_matches_scipy_beta():
    a = np.array([1.0, 2.0, 0.5])
    b = np.array([1.0, 5.0, 0.5])
    s = np.array([3, 0, 40])
    t = np.array([10, 4, 100])
    a_post, b_post, mean, var = run_reference("prob-beta-binomial-update", a, b, s, t)
    posterior = stats.beta(a + s, b + t - s)
    np.testing.assert_allclose(a_post, a + s)
    np.testing.assert_allclose(b_post, b + t - s)
    np.testing.assert_allclose(mean, posterior.mean(), rtol=1e-12)
    np.testing.assert_allclose(var, posterior.var(), rtol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_it_gaussian_naive_bayes_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, size=(3, 4))
    counts = [12, 30, 7]
    X = np.vstack([rng.normal(c, rng.uniform(0.5, 2.0), size=(n, 4)) for c, n in zip(centres, counts, strict=True)])
    y = np.repeat([4, 1, 9], counts)
    X_test = rng.normal(0, 3, size=(10, 4))
    model = GaussianNB(var_smoothing=1e-9).fit(X, y)
    np.testing.assert_allclose(
        run_reference("prob-gaussian-naive-bayes", X, y, X_test),
        model.predict_proba(X_test),
        rtol=1e-6,
        atol=1e-9,
    )


def test_it_gmm_responsibilities_match_sklearn():
    rng = np.random.default_rng(9)
    K, d = 3, 2
    weights = np.array([0.5, 0.3, 0.2])
    means = rng.normal(0, 3, size=(K, d))
    A = rng.normal(size=(K, d, d))
    covs = np.einsum("kij,klj->kil", A, A) + 0.3 * np.eye(d)
    gm = GaussianMixture(n_components=K, covariance_type="full")
    gm.weights_ = weights
    gm.means_ = means
    gm.covariances_ = covs
    gm.precisions_cholesky_ = np.array([np.linalg.cholesky(np.linalg.inv(c)) for c in covs])
    X = np.vstack([rng.normal(0, 3, size=(15, d)), [[40.0, -35.0]]])
    np.testing.assert_allclose(
        run_reference("prob-gmm-responsibilities", X, weights, means, covs),
        gm.predict_proba(X),
        rtol=1e-6,
        atol=1e-9,
    )


def test_it_gmm_responsibilities_match_scipy_densities():
    rng = np.random.default_rng(10)
    weights = np.array([0.7, 0.3])
    means = np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 2.0]])
    covs = np.array([np.eye(3), [[2.0, 0.3, 0.0], [0.3, 1.0, 0.2], [0.0, 0.2, 0.5]]])
    X = rng.normal(0, 1.5, size=(12, 3))
    dens = np.column_stack(
        [w * stats.multivariate_normal(m, c).pdf(X) for w, m, c in zip(weights, means, covs, strict=True)]
    )
    np.testing.assert_allclose(
        run_reference("prob-gmm-responsibilities", X, weights, means, covs),
        dens / dens.sum(axis=1, keepdims=True),
        rtol=1e-8,
    )
