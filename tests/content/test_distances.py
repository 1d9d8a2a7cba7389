"""The distances module's reference solutions agree with scipy and scikit-learn."""

import numpy as np
import pytest
from scipy.spatial import distance
from sklearn.metrics import pairwise_distances as sk_pairwise_distances
from sklearn.neighbors import KNeighborsClassifier

from tests.content.helpers import exercise, run_reference


def _pairs():
    rng = np.random.default_rng(11)
    return [
        (np.array([1.0, 2.0, 3.0]), np.array([4.0, 0.0, 3.0])),
        (rng.normal(size=7), rng.normal(size=7)),
        (np.array([-2.5]), np.array([4.0])),
        (rng.uniform(-100, 100, size=12), rng.uniform(-100, 100, size=12)),
    ]


@pytest.mark.parametrize("x, y", _pairs())
def test_it_euclidean_and_manhattan_match_scipy(x, y):
    assert run_reference("euclidean-distance", x, y) == pytest.approx(distance.euclidean(x, y), rel=1e-12)
    assert run_reference("manhattan-distance", x, y) == pytest.approx(distance.cityblock(x, y), rel=1e-12)


@pytest.mark.parametrize("x, y", _pairs())
def test_it_cosine_similarity_matches_scipy_cosine_distance(x, y):
    assert run_reference("cosine-similarity", x, y) == pytest.approx(1.0 - distance.cosine(x, y), abs=1e-12)


def test_it_cosine_similarity_is_zero_for_a_zero_vector():
    assert run_reference("cosine-similarity", np.zeros(4), np.ones(4)) == 0.0


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0, 7.0])
@pytest.mark.parametrize("x, y", _pairs())
def test_it_minkowski_matches_scipy(x, y, p):
    assert run_reference("minkowski-distance", x, y, p) == pytest.approx(distance.minkowski(x, y, p), rel=1e-10)


@pytest.mark.parametrize("x, y", _pairs())
def test_it_minkowski_infinity_is_scipy_chebyshev(x, y):
    assert run_reference("minkowski-distance", x, y, np.inf) == pytest.approx(distance.chebyshev(x, y), rel=1e-12)


@pytest.mark.parametrize("m, k, n", [(1, 1, 3), (4, 6, 2), (10, 3, 30)])
def test_it_pairwise_distances_match_scipy_cdist_and_sklearn(m, k, n):
    rng = np.random.default_rng(m * 100 + k)
    X, Y = rng.normal(size=(m, n)), rng.normal(size=(k, n))
    got = run_reference("pairwise-euclidean-distances", X, Y)
    assert got.shape == (m, k)
    np.testing.assert_allclose(got, distance.cdist(X, Y), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got, sk_pairwise_distances(X, Y), rtol=1e-7, atol=1e-7)


def test_it_pairwise_distances_accept_an_empty_set():
    got = run_reference("pairwise-euclidean-distances", np.zeros((0, 2)), np.ones((3, 2)))
    assert got.shape == (0, 3)


def test_it_nearest_neighbour_matches_sklearn_knn():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 4))
    y = rng.integers(0, 3, size=60)
    Q = rng.normal(size=(25, 4))
    expected = KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit(X, y).predict(Q)
    np.testing.assert_array_equal(run_reference("one-nearest-neighbour", X, y, Q), expected)


def test_it_cosine_numeric_answer_is_correct():
    x, y = np.array([1.0, 2.0, 2.0]), np.array([2.0, 0.0, 1.0])
    assert exercise("cosine-similarity-by-hand")["answer"]["value"] == pytest.approx(1 - distance.cosine(x, y))


def test_it_mahalanobis_distances_match_scipy():
    rng = np.random.default_rng(11)
    data = rng.normal(size=(80, 3)) @ rng.normal(size=(3, 3))
    S, mu, X = np.cov(data, rowvar=False), data.mean(axis=0), data[:7]
    expected = [distance.mahalanobis(x, mu, np.linalg.inv(S)) for x in X]
    np.testing.assert_allclose(run_reference("mahalanobis-distance", X, mu, S), expected, rtol=1e-9)


def test_it_mahalanobis_gradient_matches_central_differences():
    from scipy import optimize

    rng = np.random.default_rng(12)
    A = rng.normal(size=(4, 4))
    S, mu, x = A @ A.T + np.eye(4), rng.normal(size=4), rng.normal(size=4)
    numeric = optimize.approx_fprime(x, lambda v: (v - mu) @ np.linalg.solve(S, v - mu), 1e-7)
    np.testing.assert_allclose(run_reference("mahalanobis-gradient", x, mu, S), numeric, atol=1e-5)
