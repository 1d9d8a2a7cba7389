import numpy as np
from _shared.datasets import load


def cases(rng):
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [0.0, 2.0], [1.0, 3.0]])
    X = X - X.mean(axis=0)
    y = np.array([1.0, 2.0, 2.5, 3.0, 4.5, 6.0])
    yield {"name": "six rows, three folds", "args": [X, y - y.mean(), np.array([0.0, 1.0, 10.0]), 3]}
    X_d, y_d = load("diabetes")
    y_c = y_d - y_d.mean()
    grid = np.array([1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0])
    yield {"name": "diabetes, 5 folds", "args": [X_d, y_c, grid, 5]}
    yield {"name": "diabetes, 10 folds", "args": [X_d, y_c, grid, 10], "hidden": True}
    yield {"name": "uneven folds", "args": [X_d[:103], y_c[:103], grid, 4], "hidden": True}
    Xr = rng.normal(size=(40, 12))
    yr = Xr[:, 0] - Xr[:, 1] + 2.0 * rng.normal(size=40)
    yield {
        "name": "noisy data, many features",
        "args": [Xr - Xr.mean(axis=0), yr - yr.mean(), np.array([0.01, 1.0, 10.0, 100.0]), 5],
        "hidden": True,
    }
    yield {
        "name": "every penalty ties (no signal in X)",
        "args": [np.zeros((8, 2)), yr[:8] - yr[:8].mean(), np.array([1.0, 0.1, 10.0]), 4],
        "hidden": True,
    }
