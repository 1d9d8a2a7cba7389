import numpy as np
from _shared.datasets import load


def cases(rng):
    X = np.arange(20, dtype=float).reshape(10, 2)
    y = np.arange(10)
    yield {"name": "10 rows, 3 for testing", "args": [X, y, 3, 42]}
    iris_X, iris_y = load("iris")
    yield {"name": "iris, 30 test rows, seed 0", "args": [iris_X, iris_y, 30, 0]}
    yield {"name": "iris, no test rows", "args": [iris_X, iris_y, 0, 7], "hidden": True}
    yield {"name": "iris, everything is test", "args": [iris_X, iris_y, 150, 3], "hidden": True}
    yield {"name": "single sample", "args": [iris_X[:1], iris_y[:1], 1, 5], "hidden": True}
    yield {"name": "iris, 45 test rows, seed 2024", "args": [iris_X, iris_y, 45, 2024], "hidden": True}
