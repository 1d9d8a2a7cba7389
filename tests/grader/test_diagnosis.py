import numpy as np

from grader.diagnosis import diagnose

X = np.random.default_rng(1).normal(size=(4, 3))


def context(*args):
    return {"args": list(args), "kwargs": {}}


def test_it_spots_a_transposed_result():
    assert diagnose(X, X.T).tag == "transposed"


def test_it_spots_a_reduction_over_the_wrong_axis():
    found = diagnose(X.mean(axis=0), X.mean(axis=1), context(X))
    assert found.tag == "wrong-axis" and "axis 1" in found.message


def test_it_spots_a_normalisation_along_the_wrong_axis():
    positive = np.abs(X) + 0.1
    assert (
        diagnose(positive / positive.sum(axis=1, keepdims=True), positive / positive.sum(axis=0), context(positive)).tag
        == "wrong-axis"
    )


def test_it_names_a_missing_one_over_n():
    found = diagnose(X.var(axis=0, ddof=1), X.var(axis=0), context(X))
    assert found.tag == "constant-factor" and "(n - 1)/n = 3/4" in found.message


def test_it_spots_a_flipped_sign():
    assert diagnose(X, -X).tag == "sign-flipped"


def test_it_sees_no_sign_in_a_value_indistinguishable_from_zero():
    diagnosis = diagnose(np.array([1.5e-23, 7e-51]), np.array([0.0, 0.0]))
    assert diagnosis is None or diagnosis.tag != "sign-flipped"


def test_it_spots_broadcasting_to_a_matrix():
    v = np.arange(3.0)
    assert diagnose(v, v[:, None] - v).tag == "broadcast"


def test_it_names_an_overflow_only_when_numpy_logged_one():
    z = np.array([-1000.0, 1000.0])
    events = {
        "args": [z],
        "kwargs": {},
        "fp_events": ["overflow encountered in exp", "invalid value encountered in divide"],
    }
    found = diagnose(np.array([0.0, 1.0]), np.array([0.0, np.nan]), events)
    assert found.tag == "overflow" and "overflow encountered in exp" in found.message and found.factual
    assert diagnose(np.array([0.0, 1.0]), np.array([0.0, np.nan]), context(z)) is None  # no evidence: silent


def test_it_says_nothing_about_an_unrelated_wrong_answer():
    assert diagnose(X, X + np.random.default_rng(2).normal(size=X.shape), context(X)) is None
    assert diagnose(3.0, 3.7) is None
