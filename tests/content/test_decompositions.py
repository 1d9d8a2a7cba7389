"""The decompositions module's references agree with numpy.linalg and scipy.linalg."""

import numpy as np
import pytest
from scipy import linalg

from tests.content.helpers import exercise, run_reference


def _matrices():
    rng = np.random.default_rng(5)
    return [
        rng.normal(size=(4, 4)),
        rng.normal(size=(7, 3)),
        rng.normal(size=(2, 6)),
        rng.normal(size=(6, 2)) @ rng.normal(size=(2, 5)),
    ]


@pytest.mark.parametrize("A", _matrices())
def test_it_svd_reconstruction_gives_back_the_matrix(A):
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    np.testing.assert_allclose(run_reference("svd-reconstruct", U, s, Vt), A, atol=1e-12)


@pytest.mark.parametrize("A", [*_matrices(), np.zeros((3, 2)), 1e15 * _matrices()[3]])
def test_it_numerical_rank_matches_numpy_matrix_rank(A):
    assert run_reference("numerical-rank-svd", A) == np.linalg.matrix_rank(A)


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_it_rank_k_approximation_meets_eckart_young(k):
    A = np.random.default_rng(8).normal(size=(6, 4))
    s = np.linalg.svd(A, compute_uv=False)
    Ak = run_reference("low-rank-approximation", A, k)
    assert np.linalg.matrix_rank(Ak) == k
    assert np.linalg.norm(A - Ak) == pytest.approx(np.sqrt(np.sum(s[k:] ** 2)), abs=1e-10)
    assert np.linalg.norm(A - Ak, 2) == pytest.approx(s[k] if k < len(s) else 0.0, abs=1e-10)


def test_it_low_rank_error_answer_follows_eckart_young():
    s = np.array([6.0, 4.0, 2.0, 1.0])
    assert exercise("low-rank-error")["answer"]["value"] == pytest.approx(np.sqrt(np.sum(s[2:] ** 2)))


@pytest.mark.parametrize("n", [1, 3, 8])
def test_it_back_substitution_matches_scipy_solve_triangular(n):
    rng = np.random.default_rng(n)
    R = np.triu(rng.normal(size=(n, n))) + 2 * np.eye(n)
    c = rng.normal(size=n)
    np.testing.assert_allclose(run_reference("back-substitution", R, c), linalg.solve_triangular(R, c), rtol=1e-10)


@pytest.mark.parametrize("shape", [(10, 3), (5, 5), (40, 6)])
def test_it_qr_least_squares_matches_numpy_lstsq(shape):
    rng = np.random.default_rng(shape[0])
    A, b = rng.normal(size=shape), rng.normal(size=shape[0])
    expected, *_ = np.linalg.lstsq(A, b, rcond=None)
    np.testing.assert_allclose(run_reference("qr-least-squares", A, b), expected, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("n", [2, 4, 7])
def test_it_symmetric_eigendecomposition_matches_scipy_eigh(n):
    B = np.random.default_rng(n).normal(size=(n, n))
    A = (B + B.T) / 2
    lam, P = run_reference("symmetric-eigendecomposition", A)
    np.testing.assert_allclose(lam, linalg.eigh(A, eigvals_only=True)[::-1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(P @ np.diag(lam) @ P.T, A, atol=1e-10)
    np.testing.assert_allclose(P.T @ P, np.eye(n), atol=1e-10)


@pytest.mark.parametrize("rank", [1, 3, 5])
def test_it_psd_square_root_matches_scipy_sqrtm(rank):
    C = np.random.default_rng(rank).normal(size=(5, rank))
    A = C @ C.T + (1.0 if rank == 5 else 0.0) * np.eye(5)
    S = run_reference("psd-matrix-square-root", A)
    np.testing.assert_allclose(S @ S, A, atol=1e-8)
    np.testing.assert_allclose(S, S.T, atol=1e-12)
    if rank == 5:
        np.testing.assert_allclose(S, np.real(linalg.sqrtm(A)), rtol=1e-7, atol=1e-9)


def test_it_factorization_gradient_matches_central_differences_and_vanishes_at_the_truncated_svd():
    from scipy import optimize

    rng = np.random.default_rng(13)
    A, U, V = rng.normal(size=(5, 4)), rng.normal(size=(5, 2)), rng.normal(size=(4, 2))
    numeric = optimize.approx_fprime(U.ravel(), lambda u: np.sum((A - u.reshape(5, 2) @ V.T) ** 2), 1e-7)
    np.testing.assert_allclose(run_reference("factorization-gradient", A, U, V), numeric.reshape(5, 2), atol=1e-5)
    left, s, right_t = np.linalg.svd(A, full_matrices=False)
    U_best, V_best = left[:, :2] * s[:2], right_t[:2].T
    np.testing.assert_allclose(run_reference("factorization-gradient", A, U_best, V_best), 0.0, atol=1e-10)
