"""The linear-algebra module's reference solutions agree with numpy.linalg, scipy and sklearn."""

import numpy as np
import pytest
import scipy.linalg
import sympy
from sklearn.linear_model import LinearRegression

try:
    from tests.content.helpers import exercise, run_reference
except ImportError:  # tests/content collected as a rootdir-less directory
    from helpers import exercise, run_reference


def _rng():
    return np.random.default_rng(7)


def test_it_combines_vectors_like_numpy_arithmetic():
    rng = _rng()
    u, v = rng.normal(size=6), rng.normal(size=6)
    np.testing.assert_allclose(run_reference("la-linear-combination", 2.5, u, -0.75, v), 2.5 * u - 0.75 * v)
    np.testing.assert_allclose(run_reference("la-linear-combination", 1.0, u, -1.0, v), np.subtract(u, v))


@pytest.mark.parametrize("n", [0, 1, 5, 200])
def test_it_computes_the_dot_product_like_numpy_dot(n):
    rng = _rng()
    u, v = rng.normal(size=n), rng.normal(size=n)
    assert run_reference("la-dot-product", u, v) == pytest.approx(float(np.dot(u, v)), abs=1e-12)


def test_it_adds_and_transposes_like_numpy():
    rng = _rng()
    A, B = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    np.testing.assert_allclose(run_reference("la-matrix-add", A, B), np.add(A, B))
    np.testing.assert_array_equal(run_reference("la-transpose", A), A.T)


@pytest.mark.parametrize(
    "v",
    [np.array([3.0, 4.0]), np.arange(-5.0, 6.0), np.array([1e300, 1e300]), np.array([2e-300, -3e-300, 6e-300])],
)
def test_it_measures_length_like_scipy_overflow_safe_norm(v):
    # scipy.linalg.norm uses BLAS nrm2, which rescales internally: no overflow, no underflow
    assert run_reference("la-vector-norm", v) == pytest.approx(scipy.linalg.norm(v), rel=1e-12)


def test_it_returns_zero_length_for_zero_and_empty_vectors():
    assert run_reference("la-vector-norm", np.zeros(4)) == 0.0
    assert run_reference("la-vector-norm", np.zeros(0)) == 0.0


def test_it_computes_a_cross_product_orthogonal_to_both_inputs():
    rng = _rng()
    for _ in range(3):
        u, v = rng.normal(size=3), rng.normal(size=3)
        w = run_reference("la-cross-product", u, v)
        np.testing.assert_allclose(w, np.cross(u, v), atol=1e-12)
        assert abs(w @ u) < 1e-12 and abs(w @ v) < 1e-12


@pytest.mark.parametrize("m, p, n", [(2, 3, 4), (1, 5, 1), (4, 1, 3), (3, 0, 2)])
def test_it_multiplies_matrices_like_the_at_operator(m, p, n):
    rng = _rng()
    A, B = rng.normal(size=(m, p)), rng.normal(size=(p, n))
    np.testing.assert_allclose(run_reference("la-matmul", A, B), A @ B, atol=1e-12)


def test_it_predicts_like_sklearn_linear_regression():
    rng = _rng()
    X = rng.normal(size=(30, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.7 + 0.01 * rng.normal(size=30)
    model = LinearRegression().fit(X, y)
    X_new = rng.normal(size=(8, 4))
    got = run_reference("la-linear-predictions", X_new, model.coef_, float(model.intercept_))
    np.testing.assert_allclose(got, model.predict(X_new), rtol=1e-10)


@pytest.mark.parametrize("n", [1, 2, 4, 7])
def test_it_computes_determinants_like_numpy_and_scipy(n):
    A = _rng().normal(size=(n, n))
    got = run_reference("la-determinant-elimination", A)
    assert got == pytest.approx(np.linalg.det(A), rel=1e-9)
    assert got == pytest.approx(scipy.linalg.det(A), rel=1e-9)


def test_it_flips_the_determinant_sign_for_a_row_swap_and_gives_zero_when_singular():
    P = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert run_reference("la-determinant-elimination", P) == pytest.approx(-1.0)
    S = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert run_reference("la-determinant-elimination", S) == pytest.approx(0.0, abs=1e-12)


def test_it_matches_the_symbolic_determinant_exercise():
    x = sympy.Symbol("x")
    a, b, c = 3, 5, 2
    expected = sympy.Matrix([[x, a], [b, x + c]]).det()
    text = exercise("la-determinant-2x2-symbolic")["answer"]["expected"]
    text = text.replace("{{a}}", str(a)).replace("{{b}}", str(b)).replace("{{c}}", str(c))
    assert sympy.simplify(sympy.sympify(text.replace("^", "**")) - expected) == 0


@pytest.mark.parametrize("n", [1, 3, 5])
def test_it_inverts_like_numpy_linalg_inv(n):
    A = _rng().normal(size=(n, n)) + n * np.eye(n)
    ok, A_inv = run_reference("la-inverse", A)
    assert ok is True
    np.testing.assert_allclose(A_inv, np.linalg.inv(A), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(A @ A_inv, np.eye(n), atol=1e-10)


@pytest.mark.parametrize(
    "A",
    [np.arange(1.0, 10.0).reshape(3, 3), np.zeros((2, 2)), np.outer([1.0, 2.0, -1.0], [3.0, 0.0, 1.0])],
)
def test_it_reports_singular_matrices_like_matrix_rank(A):
    assert np.linalg.matrix_rank(A) < A.shape[0]
    ok, A_inv = run_reference("la-inverse", A)
    assert ok is False
    np.testing.assert_array_equal(A_inv, np.zeros(A.shape))


def test_it_sorts_eigenpairs_like_scipy_eigh_in_reverse():
    rng = _rng()
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    A = Q @ np.diag([-5.0, 0.5, 2.0, 3.0]) @ Q.T
    values, vectors = run_reference("la-symmetric-eigen", A)
    ref_values, ref_vectors = scipy.linalg.eigh(A)
    np.testing.assert_allclose(values, ref_values[::-1], atol=1e-10)
    for k in range(4):
        v, ref = vectors[:, k], ref_vectors[:, ::-1][:, k]
        assert min(np.abs(v - ref).max(), np.abs(v + ref).max()) < 1e-8
        np.testing.assert_allclose(A @ v, values[k] * v, atol=1e-10)


def test_it_states_the_numeric_answers_correctly():
    assert exercise("la-largest-eigenvalue")["answer"]["value"] == pytest.approx(
        np.linalg.eigvals(np.array([[4.0, 1.0], [2.0, 3.0]])).real.max()
    )
    assert exercise("la-quiz-det-3x3")["answer"]["value"] == pytest.approx(
        np.linalg.det(np.array([[2.0, 0.0, 1.0], [1.0, 3.0, 0.0], [0.0, 1.0, 1.0]]))
    )
    assert exercise("la-quiz-dot-product")["answer"]["value"] == np.dot([1, -2, 3], [4, 0, -1])
    assert exercise("la-quiz-norm")["answer"]["value"] == pytest.approx(np.linalg.norm([2.0, -3.0, 6.0]))
    A, v = np.array([[3.0, 2.0], [0.0, 5.0]]), np.array([1.0, 1.0])
    lam = exercise("la-quiz-eigenvalue-of-a-vector")["answer"]["value"]
    np.testing.assert_allclose(A @ v, lam * v)


def test_it_states_the_symbolic_quiz_answers_correctly():
    lam, x = sympy.symbols("lam x")
    A = sympy.Matrix([[2, 1], [1, 2]])
    poly = sympy.sympify(exercise("la-quiz-characteristic-polynomial")["answer"]["expected"].replace("^", "**"))
    assert sympy.expand(poly - (A - lam * sympy.eye(2)).det()) == 0
    cross = sympy.Matrix([x, 1, 0]).cross(sympy.Matrix([0, 1, 1]))
    expected = sympy.Matrix(sympy.sympify(exercise("la-quiz-cross-product")["answer"]["expected"]))
    assert sympy.simplify(expected - cross) == sympy.zeros(3, 1)


@pytest.mark.parametrize(
    "A",
    [
        np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 0.0], [3.0, 6.0, 1.0]]),
        np.array([[0.0, 1.0, 2.0], [0.0, 3.0, 4.0]]),
        np.outer([1.0, -2.0, 3.0], [2.0, 1.0, 0.0, -1.0]),
        np.array([[1.0, 2.0, 0.0, 3.0], [2.0, 4.0, 1.0, 7.0], [3.0, 6.0, 1.0, 10.0]]),
        np.array([[2.0, 1.0, 3.0], [4.0, 2.0, 6.0], [1.0, 5.0, 6.0], [0.0, 1.0, 1.0]]),
    ],
)
def test_it_finds_the_pivot_columns_sympy_rref_finds(A):
    pivots = list(run_reference("la-pivot-columns", A))
    assert pivots == list(sympy.Matrix(A.astype(int)).rref()[1])
    assert len(pivots) == np.linalg.matrix_rank(A)
    assert np.linalg.matrix_rank(A[:, pivots]) == len(pivots)  # the pivot columns are a basis


def test_it_finds_as_many_pivots_as_numpy_rank_on_random_low_rank_matrices():
    rng = _rng()
    for rank in range(4):
        A = rng.normal(size=(6, rank)) @ rng.normal(size=(rank, 5)) if rank else np.zeros((6, 5))
        assert len(run_reference("la-pivot-columns", A)) == np.linalg.matrix_rank(A) == rank


def _solvable(A, b):
    x, *_ = np.linalg.lstsq(A, b, rcond=None)
    return np.linalg.norm(A @ x - b) <= 1e-9 * (1 + np.linalg.norm(b))


def test_it_classifies_systems_as_numpy_lstsq_and_matrix_rank_do():
    rng = _rng()
    systems = [
        (rng.normal(size=(3, 3)), rng.normal(size=3)),
        (rng.normal(size=(5, 2)), rng.normal(size=5)),
        (rng.normal(size=(2, 4)), rng.normal(size=2)),
        (np.arange(1.0, 10.0).reshape(3, 3), np.array([1.0, 1.0, 2.0])),
        (np.arange(1.0, 10.0).reshape(3, 3), np.array([6.0, 15.0, 24.0])),
    ]
    A = rng.normal(size=(6, 3))
    systems.append((A, A @ np.array([1.0, 2.0, 3.0])))
    for A, b in systems:
        got = run_reference("la-classify-system", A, b)
        if not _solvable(A, b):
            assert got == "none"
        else:
            assert got == ("unique" if np.linalg.matrix_rank(A) == A.shape[1] else "infinite")


def test_it_projects_like_an_orthonormal_basis_from_scipy_orth():
    rng = _rng()
    for A in [
        rng.normal(size=(7, 3)),
        rng.normal(size=(8, 2)) @ rng.normal(size=(2, 5)),
        np.column_stack([np.ones(5)] * 3),
    ]:
        b = rng.normal(size=A.shape[0])
        U = scipy.linalg.orth(A)
        p = run_reference("la-project-onto-column-space", A, b)
        np.testing.assert_allclose(p, U @ (U.T @ b), atol=1e-10)
        x, *_ = np.linalg.lstsq(A, b, rcond=None)
        np.testing.assert_allclose(p, A @ x, atol=1e-10)
        np.testing.assert_allclose(A.T @ (b - p), 0.0, atol=1e-10)  # the error is orthogonal to the columns
        np.testing.assert_allclose(run_reference("la-project-onto-column-space", A, p), p, atol=1e-10)  # P^2 = P


@pytest.mark.parametrize("degree, n", [(1, 10), (3, 25), (8, 30), (10, 40)])
def test_it_fits_polynomials_like_numpy_polyfit_and_lstsq(degree, n):
    t = np.linspace(0.0, 1.0, n)
    y = np.exp(t) + 0.01 * np.sin(17 * t)
    got = run_reference("la-polyfit-qr", t, y, degree)
    V = np.vander(t, degree + 1, increasing=True)
    np.testing.assert_allclose(got, np.polynomial.polynomial.polyfit(t, y, degree), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got, np.linalg.lstsq(V, y, rcond=None)[0], rtol=1e-6, atol=1e-8)


def test_it_shows_why_qr_beats_the_normal_equations_on_ill_conditioned_fits():
    t = np.linspace(0.0, 1.0, 40)
    V = np.vander(t, 11, increasing=True)
    exact = np.linalg.lstsq(V, np.exp(t), rcond=None)[0]
    qr = run_reference("la-polyfit-qr", t, np.exp(t), 10)
    normal = np.linalg.solve(V.T @ V, V.T @ np.exp(t))
    assert np.abs(qr - exact).max() < 1e-7 < 1e-5 < np.abs(normal - exact).max()


def test_it_states_the_new_numeric_and_symbolic_answers_correctly():
    a, b = np.array([2.0, 1.0, 2.0]), np.array([3.0, 0.0, 3.0])
    np.testing.assert_allclose(exercise("la-projection-onto-a-line")["answer"]["value"], (a @ b) / (a @ a) * a)
    A = np.array([[1.0, 1.0, 1.0], [0.0, 2.0, 5.0], [2.0, 5.0, -1.0]])
    np.testing.assert_allclose(
        exercise("la-solve-by-elimination")["answer"]["value"], np.linalg.solve(A, [6.0, -4.0, 27.0])
    )
    M = np.array([[1.0, 2.0, 0.0, 3.0], [2.0, 4.0, 1.0, 7.0], [3.0, 6.0, 1.0, 10.0]])
    assert exercise("la-quiz-rank")["answer"]["value"] == np.linalg.matrix_rank(M)
    sa, sb, sc, w = sympy.symbols("a b c w")
    E = (w - sa) ** 2 + (2 * w - sb) ** 2 + (3 * w - sc) ** 2
    expected = sympy.sympify(
        exercise("la-least-squares-through-origin")["answer"]["expected"], locals={"a": sa, "b": sb, "c": sc}
    )
    assert sympy.simplify(sympy.solve(sympy.diff(E, w), w)[0] - expected) == 0
    y = np.array([1.0, -2.0, 4.5])
    slope = np.linalg.lstsq(np.array([[1.0], [2.0], [3.0]]), y, rcond=None)[0][0]
    assert float(expected.subs({sa: y[0], sb: y[1], sc: y[2]})) == pytest.approx(slope)


@pytest.mark.parametrize(
    "slug, typed, passes",
    [
        ("la-projection-onto-a-line", "[2.667, 1.333, 2.667]", True),
        ("la-projection-onto-a-line", "[2.67, 1.33, 2.67]", False),  # two decimals are not three
        ("la-solve-by-elimination", "[5, 3, -2]", True),
        ("la-quiz-rank", "2", True),
        ("la-quiz-rank", "3", False),
    ],
)
def test_it_accepts_answers_rounded_as_the_statements_ask(slug, typed, passes):
    from grader.answers import grade_numeric

    assert (grade_numeric(exercise(slug), typed).score == 1.0) is passes
