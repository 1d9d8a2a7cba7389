"""A table of wrong implementations and the diagnosis each must get, or none.

Every row runs through the real grading path (sandbox, comparison, diagnosis across all the
cases), so the rule "shown only when it explains every failing case, or is a fact about the
result" is what is tested, not one check on one pair of values. A row whose expected set is
empty says: any diagnosis here would be a guess, so the learner must see none.
"""

import textwrap

import pytest

from grader import engine

SPECS = {
    "col_means": (
        "def f(X):\n    return X.mean(axis=0)\n",
        """
        yield {"name": "4 x 3", "args": [rng.normal(size=(4, 3))]}
        yield {"name": "5 x 2", "args": [rng.normal(size=(5, 2))]}
        yield {"name": "3 x 6", "args": [rng.normal(size=(3, 6))], "hidden": True}
        """,
    ),
    "sample_variance": (
        "def f(X):\n    return X.var(axis=0, ddof=1)\n",
        """
        yield {"name": "4 x 3", "args": [rng.normal(size=(4, 3))]}
        yield {"name": "6 x 2", "args": [rng.normal(size=(6, 2))]}
        yield {"name": "10 x 3", "args": [rng.normal(size=(10, 3))], "hidden": True}
        """,
    ),
    "softmax": (
        "def f(Z):\n    E = np.exp(Z - Z.max(axis=1, keepdims=True))\n    return E / E.sum(axis=1, keepdims=True)\n",
        """
        yield {"name": "3 x 4", "args": [rng.normal(size=(3, 4))]}
        yield {"name": "2 x 3", "args": [rng.normal(size=(2, 3))]}
        yield {"name": "extreme rows", "args": [np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0]])], "hidden": True}
        """,
    ),
    "sigmoid": (
        "def f(z):\n    e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))\n",
        """
        yield {"name": "around zero", "args": [np.linspace(-3.0, 3.0, 7)]}
        yield {"name": "a matrix", "args": [rng.normal(size=(3, 2))]}
        yield {"name": "extremes", "args": [np.array([-1000.0, -5.0, 5.0, 1000.0])], "hidden": True}
        """,
    ),
    "normalise_rows": (
        "def f(X):\n    n = np.linalg.norm(X, axis=1, keepdims=True)\n"
        "    return np.divide(X, n, out=np.zeros_like(X), where=n > 0)\n",
        """
        yield {"name": "3 x 2", "args": [np.array([[3.0, 4.0], [1.0, 0.0], [-2.0, 2.0]])]}
        yield {"name": "4 x 3", "args": [rng.normal(size=(4, 3))]}
        yield {"name": "a zero row", "args": [np.array([[1.0, 2.0, 2.0], [0.0, 0.0, 0.0]])], "hidden": True}
        """,
    ),
    "determinant": (
        "def f(A):\n    return float(np.linalg.det(A))\n",
        """
        yield {"name": "3 x 3", "args": [np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])]}
        yield {"name": "random 4 x 4", "args": [rng.normal(size=(4, 4)) + 3 * np.eye(4)]}
        yield {"name": "zero pivot", "args": [np.array([[0.0, 1.0], [1.0, 0.0]])], "hidden": True}
        """,
    ),
    "distances": (
        "def f(X, q):\n    return np.sqrt(((X - q) ** 2).sum(axis=1))\n",
        """
        yield {"name": "5 x 3", "args": [rng.normal(size=(5, 3)), rng.normal(size=3)]}
        yield {"name": "4 x 2", "args": [rng.normal(size=(4, 2)), rng.normal(size=2)]}
        yield {"name": "6 x 4", "args": [rng.normal(size=(6, 4)), rng.normal(size=4)], "hidden": True}
        """,
    ),
    "precision_recall": (
        "def f(y, p):\n    tp = float(np.sum((y == 1) & (p == 1)))\n"
        "    return tp / np.sum(p == 1), tp / np.sum(y == 1)\n",
        """
        yield {"name": "six labels", "args": [np.array([1, 0, 1, 1, 0, 1]), np.array([1, 1, 1, 0, 0, 1])]}
        yield {"name": "eight labels", "args": [np.array([1, 1, 0, 0, 1, 0, 1, 0]), np.array([1, 0, 0, 1, 1, 1, 1, 0])]}
        yield {"name": "five labels", "args": [np.array([0, 1, 1, 0, 1]), np.array([1, 1, 0, 0, 1])], "hidden": True}
        """,
    ),
    "as_column": (
        "def f(x):\n    return x[:, None]\n",
        """
        yield {"name": "3", "args": [np.array([1.0, 2.0, 3.0])]}
        yield {"name": "4", "args": [rng.normal(size=4)]}
        yield {"name": "5", "args": [rng.normal(size=5)], "hidden": True}
        """,
    ),
    "center_rows": (
        "def f(X):\n    return X - X.mean(axis=1, keepdims=True)\n",
        """
        yield {"name": "2 x 2", "args": [np.array([[1.0, 2.0], [3.0, 5.0]])]}
        yield {"name": "3 x 3", "args": [rng.normal(size=(3, 3))]}
        yield {"name": "2 x 4", "args": [rng.normal(size=(2, 4))], "hidden": True}
        """,
    ),
    "log_loss": (
        "def f(p):\n    return float(-np.mean(np.log(np.clip(p, 1e-12, 1.0))))\n",
        """
        yield {"name": "five", "args": [np.array([0.9, 0.8, 0.6, 0.95, 0.7])]}
        yield {"name": "four", "args": [np.array([0.5, 0.25, 0.8, 0.9])]}
        yield {"name": "a certain mistake", "args": [np.array([0.9, 0.0, 0.6])], "hidden": True}
        """,
    ),
    "masked_softmax": (
        "def f(Z):\n    out = np.zeros_like(Z)\n    live = np.isfinite(Z).any(axis=1)\n"
        "    S = Z[live]\n    E = np.exp(S - S.max(axis=1, keepdims=True))\n"
        "    out[live] = E / E.sum(axis=1, keepdims=True)\n    return out\n",
        """
        yield {"name": "one masked entry", "args": [np.array([[1.0, -np.inf, 2.0], [0.0, 1.0, 2.0]])]}
        yield {"name": "a fully masked row", "args": [np.array([[1.0, 2.0, 0.5], [-np.inf, -np.inf, -np.inf]])], "hidden": True}
        """,
    ),
}

# (spec, name of the wrong implementation, its body, the diagnoses it must get: empty = none)
WRONG = [
    ("col_means", "mean over rows", "return X.mean(axis=1)", {"wrong-axis"}),
    ("col_means", "sum instead of mean", "return X.sum(axis=0)", {"constant-factor"}),
    ("col_means", "negated", "return -X.mean(axis=0)", {"sign-flipped"}),
    ("col_means", "keepdims", "return X.mean(axis=0, keepdims=True)", {"stray-axis"}),
    ("col_means", "off by one", "return X.mean(axis=0) + 1", set()),
    ("col_means", "median", "return np.median(X, axis=0)", set()),
    ("col_means", "first row", "return X[0]", set()),
    ("col_means", "grand mean", "return X.mean()", set()),
    ("col_means", "column maxima", "return X.max(axis=0)", set()),
    ("col_means", "reversed", "return X.mean(axis=0)[::-1]", set()),
    ("col_means", "divides by n - 1", "return X.sum(axis=0) / (X.shape[0] - 1)", {"constant-factor"}),
    ("col_means", "a column, not a row", "return X.mean(axis=0)[:, None]", {"stray-axis"}),
    ("sample_variance", "population variance", "return X.var(axis=0)", {"constant-factor"}),
    ("sample_variance", "over rows", "return X.var(axis=1, ddof=1)", {"wrong-axis"}),
    ("sample_variance", "standard deviation", "return X.std(axis=0, ddof=1)", set()),
    ("sample_variance", "twice", "return 2 * X.var(axis=0, ddof=1)", {"constant-factor"}),
    ("sample_variance", "ddof=2: the ratio varies across cases", "return X.var(axis=0, ddof=2)", set()),
    ("sample_variance", "as a row", "return X.var(axis=0, ddof=1).reshape(1, -1)", {"stray-axis"}),
    ("sample_variance", "mean absolute deviation", "return np.abs(X - X.mean(axis=0)).mean(axis=0)", set()),
    ("softmax", "no shift", "E = np.exp(Z)\n    return E / E.sum(axis=1, keepdims=True)", {"overflow"}),
    (
        "softmax",
        "along columns",
        "E = np.exp(Z - Z.max(axis=0, keepdims=True))\n    return E / E.sum(axis=0, keepdims=True)",
        {"wrong-axis"},
    ),
    ("softmax", "global normalisation", "E = np.exp(Z)\n    return E / E.sum()", {"overflow"}),
    (
        "softmax",
        "shift by the global maximum",
        "E = np.exp(Z - Z.max())\n    return E / E.sum(axis=1, keepdims=True)",
        {"zero-over-zero"},
    ),
    ("softmax", "no keepdims", "E = np.exp(Z - Z.max(axis=1, keepdims=True))\n    return E / E.sum(axis=1)", set()),
    (
        "softmax",
        "transposed",
        "E = np.exp(Z - Z.max(axis=1, keepdims=True))\n    return (E / E.sum(axis=1, keepdims=True)).T",
        {"transposed"},
    ),
    (
        "softmax",
        "log-softmax instead",
        "m = Z.max(axis=1, keepdims=True)\n    return Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True))",
        set(),
    ),
    ("softmax", "exponentials only", "return np.exp(Z - Z.max(axis=1, keepdims=True))", set()),
    ("sigmoid", "exp(z) / (1 + exp(z))", "return np.exp(z) / (1 + np.exp(z))", {"overflow"}),
    ("sigmoid", "sign of the exponent", "return 1 / (1 + np.exp(z))", set()),
    ("sigmoid", "negated", "return -0.5 * (1 + np.tanh(z / 2))", {"sign-flipped"}),
    ("sigmoid", "doubled", "return 1 + np.tanh(z / 2)", {"constant-factor"}),
    ("sigmoid", "tanh instead", "return np.tanh(z)", set()),
    ("sigmoid", "clipped logits", "return 1 / (1 + np.exp(-np.clip(z, -10, 10)))", set()),
    (
        "normalise_rows",
        "no guard for a zero row",
        "return X / np.linalg.norm(X, axis=1, keepdims=True)",
        {"zero-over-zero"},
    ),
    ("normalise_rows", "column norms", "return X / np.linalg.norm(X, axis=0, keepdims=True)", set()),
    (
        "normalise_rows",
        "divides by the row sum (a row sums to 0, one is all zeros)",
        "return X / X.sum(axis=1, keepdims=True)",
        {"division-by-zero", "zero-over-zero"},
    ),
    (
        "normalise_rows",
        "squared norm",
        "n = (X ** 2).sum(axis=1, keepdims=True)\n    return np.divide(X, n, out=np.zeros_like(X), where=n > 0)",
        set(),
    ),
    (
        "determinant",
        "elimination without pivoting",
        textwrap.dedent(
            """
        A = np.array(A, dtype=float)
        n = len(A)
        for k in range(n):
            for i in range(k + 1, n):
                A[i] -= A[i, k] / A[k, k] * A[k]
        return float(np.prod(np.diag(A)))
        """
        )
        .strip()
        .replace("\n", "\n    "),
        {"division-by-zero"},
    ),
    ("determinant", "product of the diagonal", "return float(np.prod(np.diag(A)))", set()),
    ("determinant", "negated", "return -float(np.linalg.det(A))", {"sign-flipped"}),
    ("determinant", "doubled", "return 2 * float(np.linalg.det(A))", {"constant-factor"}),
    ("determinant", "plus one half", "return float(np.linalg.det(A)) + 0.5", set()),
    ("determinant", "trace", "return float(np.trace(A))", set()),
    ("distances", "Manhattan", "return np.abs(X - q).sum(axis=1)", set()),
    ("distances", "squared", "return ((X - q) ** 2).sum(axis=1)", set()),
    ("distances", "over the wrong axis", "return np.sqrt(((X - q) ** 2).sum(axis=0))", set()),
    ("distances", "keepdims", "return np.linalg.norm(X - q, axis=1, keepdims=True)", {"stray-axis"}),
    (
        "distances",
        "root mean square: the ratio varies across cases",
        "return np.sqrt(((X - q) ** 2).mean(axis=1))",
        set(),
    ),
    ("distances", "Chebyshev", "return np.abs(X - q).max(axis=1)", set()),
    (
        "precision_recall",
        "precision and recall swapped",
        "tp = float(np.sum((y == 1) & (p == 1)))\n    return tp / np.sum(y == 1), tp / np.sum(p == 1)",
        set(),
    ),
    (
        "precision_recall",
        "precision twice",
        "tp = float(np.sum((y == 1) & (p == 1)))\n    return tp / np.sum(p == 1), tp / np.sum(p == 1)",
        set(),
    ),
    (
        "precision_recall",
        "over all labels",
        "tp = float(np.sum((y == 1) & (p == 1)))\n    return tp / len(y), tp / len(y)",
        set(),
    ),
    ("precision_recall", "accuracy for both", "a = float(np.mean(y == p))\n    return a, a", set()),
    ("as_column", "a row", "return x[None, :]", {"transposed"}),
    ("as_column", "a flat vector", "return x", {"stray-axis"}),
    ("as_column", "doubled", "return 2 * x[:, None]", {"constant-factor"}),
    ("as_column", "reversed", "return x[::-1, None]", set()),
    ("center_rows", "no keepdims", "return X - X.mean(axis=1)", set()),
    ("center_rows", "centres the columns", "return X - X.mean(axis=0, keepdims=True)", set()),
    ("center_rows", "grand mean", "return X - X.mean()", set()),
    (
        "center_rows",
        "transposed, silent because of the 2 x 2 case",
        "return (X - X.mean(axis=1, keepdims=True)).T",
        set(),
    ),
    ("log_loss", "no clipping: log 0", "return float(-np.mean(np.log(p)))", {"log-of-zero"}),
    ("log_loss", "sum instead of mean", "return float(-np.sum(np.log(np.clip(p, 1e-12, 1.0))))", {"constant-factor"}),
    ("log_loss", "no minus sign", "return float(np.mean(np.log(np.clip(p, 1e-12, 1.0))))", {"sign-flipped"}),
    ("log_loss", "log base 2", "return float(-np.mean(np.log2(np.clip(p, 1e-12, 1.0))))", set()),
    (
        "masked_softmax",
        "a plain softmax",
        "E = np.exp(Z - Z.max(axis=1, keepdims=True))\n    return E / E.sum(axis=1, keepdims=True)",
        {"inf-minus-inf"},
    ),
    (
        "masked_softmax",
        "ignores the mask by zeroing it",
        "Z = np.where(np.isfinite(Z), Z, 0.0)\n    E = np.exp(Z - Z.max(axis=1, keepdims=True))\n    return E / E.sum(axis=1, keepdims=True)",
        set(),
    ),
]


def _spec(name: str) -> dict:
    reference, body = SPECS[name]
    cases = "import numpy as np\n\ndef cases(rng):\n" + textwrap.indent(textwrap.dedent(body).strip(), "    ") + "\n"
    return {"entry_point": "f", "reference": "import numpy as np\n\n" + reference, "cases": cases}


@pytest.fixture(scope="module")
def prepared():
    return {name: engine.prepare_code_cases(_spec(name), seed=7) for name in SPECS}


def test_it_has_at_least_sixty_rows():
    assert len(WRONG) >= 60
    assert len({(spec, name) for spec, name, _, _ in WRONG}) == len(WRONG)


@pytest.mark.parametrize(("spec_name", "name", "body", "expected"), WRONG, ids=[f"{row[0]}: {row[1]}" for row in WRONG])
def test_it_gives_each_wrong_implementation_the_right_diagnosis_or_none(prepared, spec_name, name, body, expected):
    spec = _spec(spec_name)
    arguments = SPECS[spec_name][0].split("(", 1)[1].split(")", 1)[0]
    answer = f"import numpy as np\n\ndef f({arguments}):\n    {body}\n"
    result = engine.grade("code", spec, answer, cases=prepared[spec_name])
    assert result.status == "graded" and not result.correct, f"{name} was accepted"
    assert set(result.diagnoses) == expected, [case.message for case in result.cases if not case.passed]
