import numpy as np
from _shared.datasets import load


def cases(rng):
    t = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    X = np.column_stack([t, 1000.0 * np.array([1.0, -1.0, 2.0, 0.0, 1.0, -2.0])])
    yield {"name": "toy: second column in large units", "args": [X, 2.0 * t + 0.003 * X[:, 1]]}
    d_X, d_y = load("diabetes")
    yield {"name": "diabetes, all features", "args": [d_X, d_y]}
    X = d_X[:, [0, 2, 3, 8]] * np.array([1.0, 1e3, 1e-3, 1.0])
    yield {"name": "diabetes, rescaled columns", "args": [X, d_y], "hidden": True}
    X = d_X[:100, :4].copy()
    X[:, 1] = 0.05
    yield {"name": "a constant column", "args": [X, d_y[:100]], "hidden": True}
    X = d_X[:60, :4].copy()
    X[:, 1] = 0.0
    X[:, 3] = 0.0
    yield {"name": "two all-zero columns tie at weight 0", "args": [X, d_y[:60]], "hidden": True}
    yield {"name": "diabetes, 50 patients", "args": [d_X[:50], d_y[:50]], "hidden": True}
