import numpy as np


def net(rng, n0, n1, n2, m, scale=1.0):
    return [
        rng.normal(size=(n0, m)),
        (rng.uniform(size=(n2, m)) < 0.5).astype(float),
        scale * rng.normal(size=(n1, n0)),
        rng.normal(size=(n1, 1)),
        rng.normal(size=(n2, n1)),
        rng.normal(size=(n2, 1)),
    ]


def cases(rng):
    X = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -1.0]])
    Y = np.array([[1.0, 0.0, 1.0]])
    W1 = np.array([[0.5, -0.5], [1.0, 0.25], [-0.75, 0.5]])
    b1 = np.array([[0.1], [0.0], [-0.1]])
    W2 = np.array([[1.0, -1.0, 0.5]])
    b2 = np.array([[0.2]])
    yield {"name": "three hidden units, three examples", "args": [X, Y, W1, b1, W2, b2]}
    yield {"name": "random small network", "args": net(rng, 3, 4, 1, 5)}
    yield {"name": "a single example", "args": net(rng, 4, 3, 1, 1), "hidden": True}
    yield {"name": "two outputs", "args": net(rng, 5, 6, 2, 8), "hidden": True}
    yield {"name": "saturated hidden units", "args": net(rng, 3, 4, 1, 6, scale=50.0), "hidden": True}
