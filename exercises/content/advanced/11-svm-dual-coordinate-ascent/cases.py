import numpy as np


def cases(rng):
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    yield {"name": "two points, one sweep", "args": [X, np.array([1.0, -1.0]), 1.0, 1]}
    X4 = np.array([[2.0, 1.0], [1.0, 2.0], [-1.0, -1.5], [-2.0, -0.5]])
    yield {"name": "four points, three sweeps", "args": [X4, np.array([1.0, 1.0, -1.0, -1.0]), 0.5, 3]}
    Xo = np.vstack([rng.normal(1.0, 1.2, size=(15, 2)), rng.normal(-1.0, 1.2, size=(15, 2))])
    yo = np.concatenate([np.ones(15), -np.ones(15)])
    yield {"name": "overlapping classes, C = 1, 50 sweeps", "args": [Xo, yo, 1.0, 50], "hidden": True}
    yield {"name": "overlapping classes, small C", "args": [Xo, yo, 0.05, 20], "hidden": True}
    yield {
        "name": "a zero row is skipped",
        "args": [np.vstack([X4, np.zeros((1, 2))]), np.array([1.0, 1.0, -1.0, -1.0, 1.0]), 1.0, 5],
        "hidden": True,
    }
    yield {"name": "zero sweeps", "args": [Xo, yo, 1.0, 0], "hidden": True}
