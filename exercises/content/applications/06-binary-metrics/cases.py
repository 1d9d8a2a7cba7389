import numpy as np
from _shared.datasets import load


def cases(rng):
    yield {
        "name": "ten samples",
        "args": [np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1]), np.array([1, 0, 0, 1, 0, 1, 1, 0, 0, 1])],
    }
    iris_X, iris_y = load("iris")
    y = (iris_y == 2).astype(int)
    yield {"name": "iris: petal width > 1.6", "args": [y, (iris_X[:, 3] > 1.6).astype(int)]}
    yield {"name": "iris: petal width > 2.0", "args": [y, (iris_X[:, 3] > 2.0).astype(int)], "hidden": True}
    yield {"name": "no predicted positives", "args": [y, np.zeros(150, dtype=int)], "hidden": True}
    yield {"name": "no positives at all", "args": [np.zeros(5, dtype=int), np.zeros(5, dtype=int)], "hidden": True}
    yield {"name": "single correct sample", "args": [np.array([1]), np.array([1])], "hidden": True}
    yt = rng.integers(0, 2, size=40)
    yield {"name": "random labels", "args": [yt, rng.integers(0, 2, size=40)], "hidden": True}
