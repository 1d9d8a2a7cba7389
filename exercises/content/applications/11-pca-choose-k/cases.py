import numpy as np
from _shared.datasets import load


def standardise(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def cases(rng):
    iris = load("iris")[0]
    wine = load("wine")[0]
    yield {"name": "iris, 95%", "args": [iris, 0.95]}
    yield {
        "name": "toy 2-D cloud, 90%",
        "args": [np.array([[2.0, 1.0], [0.0, 0.0], [-2.0, -1.0], [1.0, 0.0], [-1.0, 0.0]]), 0.9],
    }
    yield {"name": "wine raw, 99%", "args": [wine, 0.99], "hidden": True}
    yield {"name": "wine standardised, 90%", "args": [standardise(wine), 0.90], "hidden": True}
    yield {"name": "iris, 99%", "args": [iris, 0.99], "hidden": True}
    yield {"name": "two samples", "args": [np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 0.0]]), 0.5], "hidden": True}
    yield {"name": "iris shifted far from the origin, 97%", "args": [iris + 1e4, 0.97], "hidden": True}
