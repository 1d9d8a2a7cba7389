import numpy as np


def cases(rng):
    X = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0])
    T = np.array([[0.9, 1.2], [-1.1, -0.8], [1.2, -0.9], [-0.8, 1.1], [0.0, 0.0]])
    yield {"name": "XOR corners", "args": [X, y, T, 10.0, 1.0]}
    X2 = np.array([[0.0, 0.0], [0.5, 0.2], [3.0, 3.0], [2.6, 3.3], [0.2, 0.6], [3.2, 2.7]])
    y2 = np.array([-1.0, -1.0, 1.0, 1.0, -1.0, 1.0])
    yield {"name": "two clusters", "args": [X2, y2, np.array([[0.1, 0.1], [3.0, 2.9], [1.5, 1.5]]), 1.0, 0.5]}
    angles = rng.uniform(0, 2 * np.pi, size=30)
    radius = np.where(np.arange(30) < 15, 1.0, 2.5) + 0.15 * rng.normal(size=30)
    Xr = np.column_stack([radius * np.cos(angles), radius * np.sin(angles)])
    yr = np.where(np.arange(30) < 15, 1.0, -1.0)
    Tr = rng.normal(size=(12, 2)) * 1.5
    yield {"name": "ring inside a ring", "args": [Xr, yr, Tr, 5.0, 1.0], "hidden": True}
    Xo = rng.normal(size=(40, 3))
    yo = np.where(Xo[:, 0] + 0.5 * Xo[:, 1] + 0.6 * rng.normal(size=40) > 0, 1.0, -1.0)
    yield {"name": "overlapping classes, small C", "args": [Xo, yo, rng.normal(size=(10, 3)), 0.2, 0.5], "hidden": True}
    yield {
        "name": "overlapping classes, large C",
        "args": [Xo, yo, rng.normal(size=(10, 3)), 50.0, 0.5],
        "hidden": True,
    }
