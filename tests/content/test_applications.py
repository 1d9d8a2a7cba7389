"""The applications module's references agree with scikit-learn on its bundled data sets."""

import numpy as np
import pytest
from sklearn import metrics
from sklearn.datasets import load_diabetes, load_iris, load_wine
from sklearn.decomposition import PCA
from sklearn.feature_selection import SelectKBest, f_regression
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.preprocessing import MinMaxScaler, PolynomialFeatures, StandardScaler

from tests.content.helpers import exercise, run_reference

IRIS = load_iris()
WINE = load_wine().data
DIABETES = load_diabetes()


def _split(X, n_test, seed):
    perm = np.random.default_rng(seed).permutation(len(X))
    return X[perm[n_test:]], X[perm[:n_test]]


@pytest.mark.parametrize("frac", [0.05, 0.3, 0.7])
def test_it_mean_imputation_matches_sklearn_simple_imputer(frac):
    X = IRIS.data.copy()
    X[np.random.default_rng(int(frac * 100)).random(X.shape) < frac] = np.nan
    X[:, 3] = np.nan if frac > 0.5 else X[:, 3]
    expected = SimpleImputer(strategy="mean", keep_empty_features=True).fit_transform(X)
    np.testing.assert_allclose(run_reference("impute-column-mean", X), expected, rtol=1e-12)


@pytest.mark.parametrize("n_test", [10, 60])
def test_it_scalers_match_sklearn_fitted_on_training_rows(n_test):
    train, test = _split(WINE, n_test, n_test)
    train[:, 4] = 7.0  # a constant training column
    mm = MinMaxScaler().fit(train)
    got = run_reference("minmax-scale-train-test", train, test)
    np.testing.assert_allclose(got[0], mm.transform(train), atol=1e-12)
    np.testing.assert_allclose(got[1], mm.transform(test), atol=1e-12)
    ss = StandardScaler().fit(train)
    got = run_reference("standardize-train-test", train, test)
    np.testing.assert_allclose(got[0], ss.transform(train), atol=1e-12)
    np.testing.assert_allclose(got[1], ss.transform(test), atol=1e-12)


@pytest.mark.parametrize("n_test, seed", [(30, 0), (1, 9), (149, 4)])
def test_it_split_is_a_partition_that_keeps_labels_with_rows(n_test, seed):
    X = np.column_stack([IRIS.data, np.arange(150)])
    X_train, X_test, y_train, y_test = run_reference("reproducible-train-test-split", X, IRIS.target, n_test, seed)
    assert len(X_test) == len(y_test) == n_test and len(X_train) == len(y_train) == 150 - n_test
    ids = np.concatenate([X_train[:, -1], X_test[:, -1]]).astype(int)
    assert sorted(ids) == list(range(150))
    np.testing.assert_array_equal(IRIS.target[X_train[:, -1].astype(int)], y_train)
    np.testing.assert_array_equal(IRIS.target[X_test[:, -1].astype(int)], y_test)
    again = run_reference("reproducible-train-test-split", X, IRIS.target, n_test, seed)
    np.testing.assert_array_equal(again[1], X_test)


@pytest.mark.parametrize("cut", [0.5, 1.6, 2.0, 3.0])
def test_it_metrics_match_sklearn(cut):
    y = (IRIS.target == 2).astype(int)
    pred = (IRIS.data[:, 3] > cut).astype(int)
    expected = (
        metrics.accuracy_score(y, pred),
        metrics.precision_score(y, pred, zero_division=0),
        metrics.recall_score(y, pred, zero_division=0),
        metrics.f1_score(y, pred, zero_division=0),
    )
    np.testing.assert_allclose(run_reference("binary-classification-metrics", y, pred), expected, rtol=1e-12)


def test_it_metric_answers_are_correct():
    assert exercise("f1-from-confusion-counts")["answer"]["value"] == pytest.approx(2 * 36 / (2 * 36 + 9 + 24))
    assert exercise("quiz-app-recall")["answer"]["value"] == pytest.approx(60 / 100)
    assert (
        exercise("quiz-app-poly-count")["answer"]["value"]
        == PolynomialFeatures(2).fit(np.zeros((1, 6))).n_output_features_
    )


@pytest.mark.parametrize("cols", [[0], [0, 1, 2], list(range(10))])
def test_it_polynomial_features_match_sklearn(cols):
    X = DIABETES.data[:25, cols]
    np.testing.assert_allclose(
        run_reference("polynomial-features-degree-2", X),
        PolynomialFeatures(2).fit_transform(X),
        rtol=1e-12,
    )


def test_it_standardized_weights_match_sklearn_on_standardised_features():
    X, y = DIABETES.data, DIABETES.target
    w, order = run_reference("standardized-coefficients-ranking", X, y)
    expected = LinearRegression().fit(StandardScaler().fit_transform(X), y).coef_
    np.testing.assert_allclose(w, expected, rtol=1e-7, atol=1e-8)
    np.testing.assert_array_equal(order, np.argsort(-np.abs(expected), kind="stable"))


@pytest.mark.parametrize(
    "X, threshold",
    [
        (IRIS.data, 0.95),
        (WINE, 0.99),
        (StandardScaler().fit_transform(WINE), 0.9),
        (DIABETES.data, 0.8),
    ],
)
def test_it_pca_matches_sklearn_pca(X, threshold):
    k, Z = run_reference("pca-explained-variance-k", X, threshold)
    full = PCA().fit(X)
    assert k == int(np.searchsorted(np.cumsum(full.explained_variance_ratio_), threshold) + 1)
    expected = PCA(n_components=k).fit_transform(X)
    signs = np.sign(np.sum(Z * expected, axis=0))
    np.testing.assert_allclose(Z * signs, expected, atol=1e-8)


def test_it_pca_quiz_answer_is_correct():
    lam = np.array([6.0, 2.0, 1.0, 0.6, 0.4])
    k = int(np.argmax(np.cumsum(lam) / lam.sum() >= 0.85)) + 1
    assert exercise("quiz-app-explained-variance")["answer"]["value"] == k


def _loss(X, Y, W1, b1, W2, b2):
    S = np.tanh(X @ W1 + b1) @ W2 + b2
    S = S - S.max(axis=1, keepdims=True)
    return -np.mean(np.sum(Y * (S - np.log(np.exp(S).sum(axis=1, keepdims=True))), axis=1))


def test_it_network_step_follows_the_finite_difference_gradient():
    rng = np.random.default_rng(0)
    X = StandardScaler().fit_transform(IRIS.data)[::10]
    Y = np.eye(3)[IRIS.target[::10]]
    params = [
        rng.normal(scale=0.5, size=(4, 5)),
        rng.normal(size=5),
        rng.normal(scale=0.5, size=(5, 3)),
        rng.normal(size=3),
    ]
    lr = 0.1
    *new, losses = run_reference("train-two-layer-network", X, Y, *params, lr, 1)
    assert losses[0] == pytest.approx(_loss(X, Y, *params), rel=1e-12)
    h = 1e-6
    for i, (old, updated) in enumerate(zip(params, new, strict=True)):
        grad = np.zeros_like(old)
        for idx in np.ndindex(old.shape):
            plus = [p.copy() for p in params]
            minus = [p.copy() for p in params]
            plus[i][idx] += h
            minus[i][idx] -= h
            grad[idx] = (_loss(X, Y, *plus) - _loss(X, Y, *minus)) / (2 * h)
        np.testing.assert_allclose((old - updated) / lr, grad, rtol=1e-5, atol=1e-8)


def test_it_network_learns_iris():
    rng = np.random.default_rng(1)
    X = StandardScaler().fit_transform(IRIS.data)
    Y = np.eye(3)[IRIS.target]
    params = [
        rng.normal(scale=0.5, size=(4, 8)),
        np.zeros(8),
        rng.normal(scale=0.5, size=(8, 3)),
        np.zeros(3),
    ]
    W1, b1, W2, b2, losses = run_reference("train-two-layer-network", X, Y, *params, 0.5, 300)
    assert losses.shape == (300,) and losses[-1] < 0.1 < losses[0]
    accuracy = np.mean(np.argmax(np.tanh(X @ W1 + b1) @ W2 + b2, axis=1) == IRIS.target)
    assert accuracy > 0.95


def test_it_select_k_best_keeps_the_columns_sklearn_selectkbest_keeps():
    X, y = load_diabetes(return_X_y=True)
    for k in (1, 3, 6):
        expected = SelectKBest(f_regression, k=k).fit(X, y).get_support(indices=True)
        np.testing.assert_array_equal(run_reference("select-k-best-features", X, y, k), expected)


@pytest.mark.parametrize("k", [3, 5, 10])
def test_it_kfold_ridge_cv_matches_sklearn_cross_val_score(k):
    X, y = load_diabetes(return_X_y=True)
    y = y - y.mean()
    grid = np.array([1e-3, 1e-2, 1e-1, 1.0])
    errors, best = run_reference("kfold-ridge-cv", X[:203], y[:203], grid, k)
    expected = [
        -cross_val_score(
            Ridge(alpha=lam, fit_intercept=False), X[:203], y[:203], cv=KFold(k), scoring="neg_mean_squared_error"
        ).mean()
        for lam in grid
    ]
    np.testing.assert_allclose(errors, expected, rtol=1e-8)
    assert best == grid[int(np.argmin(expected))]


def test_it_forward_selection_matches_a_search_with_sklearn_linear_regression():
    X, y = load_diabetes(return_X_y=True)
    perm = np.random.default_rng(4).permutation(len(y))
    train, val = perm[:300], perm[300:]
    chosen = []
    for _ in range(4):
        candidates = [j for j in range(X.shape[1]) if j not in chosen]
        scores = [
            metrics.mean_squared_error(
                y[val], LinearRegression().fit(X[train][:, [*chosen, j]], y[train]).predict(X[val][:, [*chosen, j]])
            )
            for j in candidates
        ]
        chosen.append(candidates[int(np.argmin(scores))])
    got = run_reference("forward-feature-selection", X[train], y[train], X[val], y[val], 4)
    np.testing.assert_array_equal(got, chosen)
