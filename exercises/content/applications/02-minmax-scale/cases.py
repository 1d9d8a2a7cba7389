import numpy as np
from _shared.datasets import load


def split(rng, X, n_test):
    perm = rng.permutation(len(X))
    return [X[perm[n_test:]], X[perm[:n_test]]]


def cases(rng):
    yield {
        "name": "small example",
        "args": [np.array([[0.0, 10.0], [5.0, 20.0], [10.0, 30.0]]), np.array([[2.5, 40.0]])],
    }
    wine = load("wine")[0]
    yield {"name": "wine, 40 test rows", "args": split(rng, wine, 40)}
    yield {"name": "wine, empty test set", "args": [wine[:50], wine[:0]], "hidden": True}
    W = wine[:30].copy()
    W[:, 3] = 2.5
    yield {"name": "constant training column", "args": [W[:20], W[20:]], "hidden": True}
    yield {"name": "single training row", "args": [wine[:1], wine[1:6]], "hidden": True}
    yield {"name": "wine, 100 test rows", "args": split(rng, wine, 100), "hidden": True}
