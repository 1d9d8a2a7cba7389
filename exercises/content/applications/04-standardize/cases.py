import numpy as np
from _shared.datasets import load


def split(rng, X, n_test):
    perm = rng.permutation(len(X))
    return [X[perm[n_test:]], X[perm[:n_test]]]


def cases(rng):
    yield {
        "name": "small example",
        "args": [np.array([[1.0, 100.0], [3.0, 300.0]]), np.array([[2.0, 0.0], [5.0, 200.0]])],
    }
    wine = load("wine")[0]
    yield {"name": "wine, 50 test rows", "args": split(rng, wine, 50)}
    W = wine[:40].copy()
    W[:, 0] = 13.0
    yield {"name": "constant training column", "args": [W[:30], W[30:]], "hidden": True}
    yield {"name": "single training row", "args": [wine[:1], wine[1:4]], "hidden": True}
    yield {"name": "empty test set", "args": [wine[:60], wine[:0]], "hidden": True}
    yield {"name": "wine, 20 test rows", "args": split(rng, wine, 20), "hidden": True}
