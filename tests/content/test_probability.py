"""The probability module's reference solutions agree with numpy, scipy and scikit-learn."""

import itertools
import statistics
import warnings

import numpy as np
import pytest
import sympy
from scipy import optimize, stats
from scipy.special import softmax
from sklearn.mixture import GaussianMixture
from sklearn.naive_bayes import GaussianNB

from tests.content.helpers import exercise, run_reference


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
    np.testing.assert_allclose(run_reference("prob-bayes-posterior", prior, lik), direct / direct.sum(), rtol=1e-10)


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


# --- estimation: maximum likelihood and MAP ---------------------------------------------------


def _sym(slug, **names):
    symbols = {name: sympy.Symbol(name, positive=True) for name in names}
    return sympy.sympify(exercise(slug)["answer"]["expected"].replace("^", "**"), locals=symbols), symbols


def test_it_expects_the_bernoulli_mle_that_sympy_and_scipy_find():
    expected, sym = _sym("prob-bernoulli-mle", k=1, n=1)
    p, k, n = sympy.Symbol("p", positive=True), sym["k"], sym["n"]
    loglik = k * sympy.log(p) + (n - k) * sympy.log(1 - p)
    assert sympy.simplify(sympy.solve(sympy.diff(loglik, p), p)[0] - expected) == 0
    best = optimize.minimize_scalar(lambda q: -stats.binom.logpmf(7, 20, q), bounds=(1e-9, 1 - 1e-9), method="bounded")
    assert float(expected.subs({k: 7, n: 20})) == pytest.approx(best.x, abs=1e-5)


def test_it_expects_the_bernoulli_map_at_the_mode_of_scipys_beta_posterior():
    expected, sym = _sym("prob-bernoulli-map", k=1, n=1, a=1, b=1)
    for k, n, a, b in [(7, 10, 2, 2), (0, 3, 2, 2), (30, 40, 5, 1.5)]:
        posterior = stats.beta(a + k, b + n - k)
        mode = optimize.minimize_scalar(
            lambda q, d=posterior: -d.logpdf(q), bounds=(1e-9, 1 - 1e-9), method="bounded"
        ).x
        value = float(expected.subs({sym["k"]: k, sym["n"]: n, sym["a"]: a, sym["b"]: b}))
        assert value == pytest.approx(mode, abs=1e-5)


@pytest.mark.parametrize("n", [1, 2, 8, 500])
def test_it_fits_a_gaussian_like_scipy_norm_fit(n):
    x = np.random.default_rng(n).normal(-1.5, 3.0, size=n)
    mu, var = run_reference("prob-gaussian-mle", x)
    loc, scale = stats.norm.fit(x)
    assert mu == pytest.approx(loc, rel=1e-9, abs=1e-12)
    assert var == pytest.approx(scale**2, rel=1e-9, abs=1e-12)


def test_it_fits_the_lessons_sample_and_the_quiz_sample():
    assert run_reference("prob-gaussian-mle", np.array([2.0, 4, 4, 4, 5, 5, 7, 9])) == pytest.approx((5.0, 4.0))
    assert exercise("prob-quiz-mle-variance")["answer"]["value"] == pytest.approx(np.var([1.0, 3.0, 3.0, 5.0]))


def test_it_finds_the_gaussian_map_mean_where_scipy_minimises_the_negative_log_posterior():
    rng = np.random.default_rng(4)
    x = rng.normal(50.0, 10.0, size=8)
    sigma2, mu0, tau2 = 100.0, 20.0, 25.0

    def negative_log_posterior(mu):
        return -(stats.norm(mu, np.sqrt(sigma2)).logpdf(x).sum() + stats.norm(mu0, np.sqrt(tau2)).logpdf(mu))

    best = optimize.minimize_scalar(negative_log_posterior, bracket=(0.0, 100.0), tol=1e-12)
    assert run_reference("prob-gaussian-mean-map", x, sigma2, mu0, tau2) == pytest.approx(best.x, rel=1e-6)
    assert run_reference("prob-gaussian-mean-map", x, sigma2, mu0, 1e12) == pytest.approx(x.mean(), rel=1e-9)


# --- t procedures and uncertainty -----------------------------------------------------------


@pytest.mark.parametrize("n, level", [(2, 0.95), (5, 0.95), (12, 0.99), (40, 0.90)])
def test_it_builds_the_t_interval_scipy_builds(n, level):
    x = np.random.default_rng(n).normal(10.0, 2.0, size=n)
    t_star = stats.t.ppf((1 + level) / 2, n - 1)
    low, high = run_reference("prob-t-interval", x, t_star)
    expected = stats.t.interval(level, n - 1, loc=x.mean(), scale=stats.sem(x))
    assert (low, high) == pytest.approx(expected, rel=1e-10)


def test_it_states_the_t_interval_by_hand_with_the_rounded_table_value():
    assert stats.t.ppf(0.975, 15) == pytest.approx(2.131, abs=5e-4)
    low, high = exercise("prob-t-interval-by-hand")["answer"]["value"]
    assert (low, high) == pytest.approx((212 - 2.131 * 18 / 4, 212 + 2.131 * 18 / 4))
    exact = stats.t.interval(0.95, 15, loc=212, scale=18 / 4)
    assert (low, high) == pytest.approx(exact, abs=5e-3)  # the table value is close enough for two decimals


def test_it_computes_welchs_t_and_degrees_of_freedom_like_scipy_ttest_ind():
    rng = np.random.default_rng(12)
    for a, b in [
        (rng.normal(5.0, 0.5, size=8), rng.normal(4.0, 5.0, size=30)),
        (rng.normal(0.0, 1.0, size=20), rng.normal(0.3, 1.0, size=20)),
        (np.array([1.0, 3.0]), np.array([2.0, 6.0])),
    ]:
        t, nu = run_reference("prob-welch-t-test", a, b)
        result = stats.ttest_ind(a, b, equal_var=False)
        assert t == pytest.approx(result.statistic, rel=1e-10)
        assert nu == pytest.approx(result.df, rel=1e-10)


def test_it_states_the_standard_error_of_an_accuracy_like_scipy_bernoulli():
    p, n = 552 / 600, 600
    assert exercise("prob-accuracy-standard-error")["answer"]["value"] == pytest.approx(
        stats.bernoulli(p).std() / np.sqrt(n), rel=1e-12
    )


def test_it_bootstraps_the_median_like_scipy_bootstrap():
    x = np.random.default_rng(21).exponential(3.0, size=60)
    low, high = run_reference("prob-bootstrap-interval", x, 20000, 0.95, 5)
    result = stats.bootstrap(
        (x,), np.median, n_resamples=20000, confidence_level=0.95, method="percentile", random_state=5
    )
    spread = x.std()
    assert low == pytest.approx(result.confidence_interval.low, abs=0.05 * spread)
    assert high == pytest.approx(result.confidence_interval.high, abs=0.05 * spread)
    assert low < np.median(x) < high
    assert run_reference("prob-bootstrap-interval", x, 500, 0.95, 9) == run_reference(
        "prob-bootstrap-interval", x, 500, 0.95, 9
    )


# --- the EM algorithm --------------------------------------------------------------------------


@pytest.mark.parametrize("n_iter", [1, 5, 40])
def test_it_runs_em_exactly_like_sklearn_gaussian_mixture(n_iter):
    rng = np.random.default_rng(13)
    x = np.concatenate([rng.normal(0.0, 0.5, size=50), rng.normal(4.0, 1.0, size=50), rng.normal(10.0, 1.5, size=40)])
    w0, mu0, var0 = np.array([0.2, 0.3, 0.5]), np.array([1.0, 3.0, 8.0]), np.array([1.0, 2.0, 1.0])
    gm = GaussianMixture(
        n_components=3, covariance_type="full", weights_init=w0, means_init=mu0[:, None],
        precisions_init=(1.0 / var0)[:, None, None], reg_covar=0.0, tol=0.0, max_iter=n_iter, n_init=1,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns that tol=0 never "converges"
        gm.fit(x[:, None])
    w, mu, var = run_reference("prob-gmm-em-1d", x, w0, mu0, var0, n_iter)
    np.testing.assert_allclose(w, gm.weights_, rtol=1e-8)
    np.testing.assert_allclose(mu, gm.means_[:, 0], rtol=1e-8)
    np.testing.assert_allclose(var, gm.covariances_[:, 0, 0], rtol=1e-8)


def test_it_never_decreases_the_mixture_log_likelihood():
    rng = np.random.default_rng(14)
    x = np.concatenate([rng.normal(-2.0, 1.0, size=40), rng.normal(3.0, 0.7, size=60)])
    params = (np.array([0.5, 0.5]), np.array([-1.0, 1.0]), np.array([2.0, 2.0]))

    def log_likelihood(w, mu, var):
        return np.log(sum(wk * stats.norm(mk, np.sqrt(vk)).pdf(x) for wk, mk, vk in zip(w, mu, var, strict=True))).sum()

    values = [log_likelihood(*params)]
    for _ in range(6):
        params = run_reference("prob-gmm-em-1d", x, *params, 1)
        values.append(log_likelihood(*params))
    assert all(later >= earlier - 1e-9 for earlier, later in itertools.pairwise(values))


@pytest.mark.parametrize(
    "slug, typed, passes",
    [
        ("prob-t-interval-by-hand", "[202.41, 221.59]", True),
        ("prob-t-interval-by-hand", "[203.18, 220.82]", False),  # 1.96 instead of t*
        ("prob-accuracy-standard-error", "0.0111", True),
        ("prob-accuracy-standard-error", "0.011", False),
        ("prob-quiz-mle-variance", "2", True),
        ("prob-quiz-mle-variance", "2.6667", False),  # the unbiased variance
    ],
)
def test_it_accepts_answers_rounded_as_the_statements_ask(slug, typed, passes):
    from grader.answers import grade_numeric

    assert (grade_numeric(exercise(slug), typed).score == 1.0) is passes
