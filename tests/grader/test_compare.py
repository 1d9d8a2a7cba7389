import numpy as np
import pytest

from grader.compare import CompareSpecError, compare

RNG = np.random.default_rng(0)
SYMMETRIC = (lambda m: m + m.T)(RNG.normal(size=(4, 4)))
VALUES, VECTORS = np.linalg.eigh(SYMMETRIC)


def test_it_refuses_silent_broadcasting_and_says_the_shapes():
    verdict = compare(np.ones((3, 1)), np.ones(3))
    assert not verdict.passed
    assert verdict.message == "expected shape (3, 1), got (3,)"


def test_it_locates_the_worst_error_and_counts_the_differing_entries():
    got = np.zeros((3, 3))
    got[2, 0], got[1, 1] = 0.31, 0.1
    verdict = compare(np.zeros((3, 3)), got)
    assert verdict.message == "max error 0.31 at [2, 0]; 2 of 9 entries differ"
    assert verdict.where == [2, 0]


def test_it_requires_nan_where_the_reference_has_nan():
    assert not compare(np.array([1.0, np.nan]), np.array([1.0, 2.0])).passed
    assert compare(np.array([1.0, np.nan]), np.array([1.0, np.nan])).passed


def test_it_refuses_booleans_for_numbers():
    assert "booleans" in compare(np.ones(2), np.array([True, True])).message


def test_it_accepts_eigenvectors_up_to_the_sign_of_each_column():
    assert compare(VECTORS, VECTORS * np.array([1, -1, -1, 1]), {"method": "sign_per_column"}).passed
    assert not compare(VECTORS, VECTORS[:, ::-1], {"method": "sign_per_column"}).passed
    assert compare(VECTORS.T, -VECTORS.T, {"method": "sign_per_row"}).passed


def test_it_accepts_any_order_for_permutation():
    assert compare(VALUES, VALUES[::-1], {"method": "permutation"}).passed
    assert not compare(VALUES, VALUES[::-1] + 1, {"method": "permutation"}).passed


def test_it_accepts_any_basis_of_the_same_subspace():
    rotation = np.array([[0.6, 0.8], [-0.8, 0.6]])
    assert compare(VECTORS[:, :2], VECTORS[:, :2] @ rotation, {"method": "subspace"}).passed
    verdict = compare(VECTORS[:, :2], VECTORS[:, 1:3], {"method": "subspace"})
    assert not verdict.passed and "different subspace" in verdict.message


def test_it_judges_solvers_by_their_residual():
    A, b = RNG.normal(size=(6, 3)), np.arange(6.0)
    x = np.linalg.lstsq(A, b, rcond=None)[0]
    context = {"args": [A, b], "kwargs": {}}
    spec = {"method": "residual", "system": "least_squares"}
    assert compare(x, np.linalg.solve(A.T @ A, A.T @ b), spec, context=context).passed
    assert not compare(x, x + 0.01, spec, context=context).passed


def test_it_accepts_any_solution_of_a_singular_system():
    singular = np.array([[1.0, 1.0], [1.0, 1.0]])
    context = {"args": [singular, np.array([1.0, 1.0])]}
    assert compare(np.array([0.5, 0.5]), np.array([1.0, 0.0]), {"method": "residual"}, context=context).passed


def test_it_checks_probability_vectors_per_row():
    p = np.array([[0.2, 0.8], [0.5, 0.5]])
    assert compare(p, p, {"method": "probability"}).passed
    assert "sum to 2" in compare(p, p * 2, {"method": "probability"}).message
    assert "negative" in compare(p, np.array([[-0.2, 1.2], [0.5, 0.5]]), {"method": "probability"}).message


def test_it_compares_sets_ignoring_order_and_repetition():
    assert compare([1, 2, 3], [3, 2, 1, 1], {"method": "set"}).passed
    assert compare(["a", "b"], ["b", "a"], {"method": "set"}).passed
    assert "missing" in compare([1.0, 2.0], [2.0, 5.0], {"method": "set"}).message


def test_it_compares_each_value_of_a_tuple_with_its_own_method():
    spec = [{"method": "allclose"}, {"method": "sign_per_column"}]
    assert compare((VALUES, VECTORS), (VALUES, -VECTORS), spec).passed
    assert "value 1" in compare((VALUES, VECTORS), (VALUES + 1, VECTORS), spec).message


def test_it_names_an_unknown_method():
    with pytest.raises(CompareSpecError):
        compare(1.0, 1.0, {"method": "roughly"})


# --- sign rules and sign consistency -------------------------------------------------------


def test_it_holds_a_learner_to_a_declared_sign_rule():
    A = np.array([[3.0, 1.0], [4.0, 2.0], [0.0, 5.0]])
    Q, R = np.linalg.qr(A)
    Q = Q * np.sign(np.diag(R))  # the convention q_k · a_k > 0
    spec = {"method": "sign_per_column", "sign_rule": "positive_diagonal"}
    context = {"args": [A]}
    assert compare(Q, Q, spec, context=context).passed
    flipped = Q * np.array([1.0, -1.0])
    verdict = compare(Q, flipped, spec, context=context)
    assert not verdict.passed and "column 1 has the wrong sign" in verdict.message
    assert compare(Q, flipped, {"method": "sign_per_column"}, context=context).passed  # without the rule, either sign


def test_it_applies_the_largest_entry_positive_rule():
    V = np.array([[0.6, -0.8], [0.8, 0.6]])
    spec = {"method": "sign_per_column", "sign_rule": "largest_positive"}
    assert compare(V * [1, -1], V * [1, -1], spec).passed
    assert not compare(V * [1, -1], V, spec).passed


def test_it_requires_a_projection_to_use_the_same_signs_as_its_components():
    P = np.array([[0.6, -0.8], [0.8, 0.6]])
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -2.5]])
    Y = X @ P
    spec = [{"method": "sign_per_column"}, {"method": "sign_per_column", "same_signs_as": 1}]
    assert compare((P, Y), (P * [-1, 1], Y * [-1, 1]), spec).passed
    verdict = compare((P, Y), (P * [-1, 1], Y), spec)
    assert not verdict.passed and "column 0 has the opposite sign" in verdict.message


def test_it_checks_the_options_of_a_comparison():
    from grader.compare import check_compare_options

    with pytest.raises(CompareSpecError, match="sign_rule applies"):
        check_compare_options({"method": "allclose", "sign_rule": "positive_diagonal"})
    with pytest.raises(CompareSpecError, match="same_signs_as"):
        check_compare_options({"method": "sign_per_column", "same_signs_as": 0})


# --- least squares against a stable reference -----------------------------------------------


def _ill_conditioned(kappa: float, rng):
    U, _ = np.linalg.qr(rng.normal(size=(30, 5)))
    V, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    A = U @ np.diag(np.logspace(0, -np.log10(kappa), 5)) @ V.T
    b = A @ rng.normal(size=5)
    return A, b


@pytest.mark.parametrize("kappa", [1e2, 1e6, 1e8])
def test_it_accepts_every_stable_least_squares_method_and_rejects_the_normal_equations_when_ill_conditioned(kappa):
    A, b = _ill_conditioned(kappa, np.random.default_rng(4))
    Q, R = np.linalg.qr(A)
    reference = np.linalg.solve(R, Q.T @ b)
    spec, context = {"method": "least_squares"}, {"args": [A, b]}
    for stable in (np.linalg.lstsq(A, b, rcond=None)[0], np.linalg.pinv(A) @ b, reference):
        assert compare(reference, stable, spec, context=context).passed
    normal = np.linalg.solve(A.T @ A, A.T @ b)
    verdict = compare(reference, normal, spec, context=context)
    assert verdict.passed == (kappa < 1e4)
    if not verdict.passed:
        assert "condition number" in verdict.message
        assert compare(reference, normal, {"method": "residual", "system": "least_squares"}, context=context).passed
