import numpy as np
from _shared.datasets import load


def cases(rng):
    X = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [2.0, 1.0, 0.0], [3.0, 0.0, 1.0], [4.0, 1.0, 1.0]])
    y = 2.0 * X[:, 0] + np.array([0.1, -0.1, 0.0, 0.1, -0.1])
    yield {"name": "one obvious feature", "args": [X[:4], y[:4], X[4:], y[4:], 2]}
    X_d, y_d = load("diabetes")
    perm = rng.permutation(len(y_d))
    train, val = perm[:300], perm[300:]
    yield {"name": "diabetes, k = 3", "args": [X_d[train], y_d[train], X_d[val], y_d[val], 3]}
    yield {"name": "diabetes, k = 6", "args": [X_d[train], y_d[train], X_d[val], y_d[val], 6], "hidden": True}
    Xr = rng.normal(size=(80, 6))
    yr = 5.0 + 2.0 * Xr[:, 4] - Xr[:, 1] + 0.5 * rng.normal(size=80)
    yield {"name": "an intercept far from zero", "args": [Xr[:50], yr[:50], Xr[50:], yr[50:], 2], "hidden": True}
