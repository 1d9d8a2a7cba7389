"""The intro module's reference solutions agree with independent implementations (scikit-learn)."""

import numpy as np
import pytest
from sklearn.feature_extraction import DictVectorizer
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

try:
    from tests.content.helpers import exercise, run_reference
except ImportError:  # tests/content collected as a rootdir-less directory
    from helpers import exercise, run_reference


def _rng():
    return np.random.default_rng(11)


def test_it_builds_the_design_matrix_like_dict_vectorizer():
    rng = _rng()
    names = ["rooms", "area", "distance", "age"]
    records = [{name: float(v) for name, v in zip(names, rng.normal(size=4), strict=True)} for _ in range(9)]
    for record in records:
        record["ignored"] = 1.0
    features = ["distance", "rooms", "area"]
    vectorizer = DictVectorizer(sparse=False).fit(records)
    columns = [list(vectorizer.get_feature_names_out()).index(name) for name in features]
    expected = vectorizer.transform(records)[:, columns]
    got = run_reference("intro-records-to-matrix", records, features)
    np.testing.assert_allclose(got, expected)


def test_it_returns_an_empty_matrix_with_the_right_width_for_no_records():
    got = run_reference("intro-records-to-matrix", [], ["a", "b", "c"])
    assert got.shape == (0, 3)


@pytest.mark.parametrize("shape", [(5, 3), (1, 4), (6, 1)])
def test_it_adds_the_same_bias_column_as_polynomial_features(shape):
    X = _rng().normal(size=shape)
    expected = PolynomialFeatures(degree=1, include_bias=True).fit_transform(X)
    np.testing.assert_allclose(run_reference("intro-add-bias-column", X), expected)


@pytest.mark.parametrize("shape", [(7, 3), (1, 5), (40, 2)])
def test_it_summarises_columns_like_standard_scaler(shape):
    X = 10.0 + _rng().normal(size=shape)
    n, d, means = run_reference("intro-column-summary", X)
    assert (n, d) == shape
    np.testing.assert_allclose(means, StandardScaler().fit(X).mean_, rtol=1e-12)


def test_it_one_hot_encodes_like_sklearn_with_unknown_categories_ignored():
    categories = ["oil", "gas", "heat pump", "district"]
    values = ["gas", "district", "wood", "oil", "gas", "heat pump", "solar"]
    encoder = OneHotEncoder(categories=[categories], handle_unknown="ignore", sparse_output=False)
    expected = encoder.fit_transform(np.array(values, dtype=object).reshape(-1, 1))
    got = run_reference("intro-one-hot", values, categories)
    np.testing.assert_array_equal(got, expected.astype(int))
    assert got.dtype.kind == "i"


def test_it_states_the_numeric_sums_correctly():
    assert exercise("intro-evaluate-a-sum")["answer"]["value"] == sum(2 * k - 1 for k in range(1, 6))
    A = np.array([[1, 0, 2], [3, -1, 4]])
    weighted = sum((i + 1) * A[i, j] for i in range(2) for j in range(3))
    assert exercise("intro-double-sum")["answer"]["value"] == weighted
    assert exercise("intro-quiz-sum-of-squares")["answer"]["value"] == sum(i * i for i in range(2, 5))
    w, x, b = np.array([0.5, -2.0, 4.0]), np.array([6.0, 1.5, 0.25]), 1.0
    assert exercise("intro-quiz-weighted-sum")["answer"]["value"] == pytest.approx(w @ x + b)


def test_it_states_the_logarithm_answers_with_numpy_natural_logs():
    assert exercise("intro-log-likelihood")["answer"]["value"] == pytest.approx(np.sum(np.log([0.9, 0.8, 0.5, 0.25])))
    assert exercise("intro-quiz-change-of-base")["answer"]["value"] == pytest.approx(np.log2(40.0))


@pytest.mark.parametrize(
    "slug, typed, passes",
    [
        ("intro-log-likelihood", "-2.408", True),
        ("intro-log-likelihood", "-1.046", False),  # log10 instead of the natural log
        ("intro-quiz-change-of-base", "5.322", True),
        ("intro-quiz-change-of-base", "3.689", False),  # log 40 without the change of base
    ],
)
def test_it_accepts_the_logarithm_answers_rounded_as_the_statement_asks(slug, typed, passes):
    from grader.answers import grade_numeric

    assert (grade_numeric(exercise(slug), typed).score == 1.0) is passes
