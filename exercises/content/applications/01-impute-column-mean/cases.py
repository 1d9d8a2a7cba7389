import numpy as np
from _shared.datasets import load


def knock_out(rng, X, frac):
    X = X.copy()
    X[rng.random(X.shape) < frac] = np.nan
    return X


def cases(rng):
    nan = np.nan
    yield {"name": "small table", "args": [np.array([[1.0, nan, 3.0], [nan, 4.0, 5.0], [7.0, 8.0, nan]])]}
    iris = load("iris")[0]
    yield {"name": "iris, 10% missing", "args": [knock_out(rng, iris, 0.10)]}
    yield {"name": "iris, nothing missing", "args": [iris.copy()], "hidden": True}
    yield {"name": "iris, 60% missing", "args": [knock_out(rng, iris, 0.60)], "hidden": True}
    X = knock_out(rng, iris[:20], 0.2)
    X[:, 2] = nan
    yield {"name": "a column with no observations", "args": [X], "hidden": True}
    yield {"name": "single row", "args": [np.array([[nan, 2.0, nan, 4.0]])], "hidden": True}
