import numpy as np


def cases(rng):
    yield {"name": "diagonal 2 x 2", "args": [np.diag([1.0, 2.0]), np.array([1.0, 1.0]), np.zeros(2), 0.4, 1e-8, 1000]}
    yield {
        "name": "coupled 2 x 2",
        "args": [np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0]), np.array([2.0, 2.0]), 0.2, 1e-10, 1000],
    }
    yield {
        "name": "already at the minimum",
        "args": [np.diag([2.0, 4.0]), np.array([2.0, 4.0]), np.array([1.0, 1.0]), 0.1, 1e-6, 100],
        "hidden": True,
    }
    yield {
        "name": "ill-conditioned, stops at max_iter",
        "args": [np.diag([1.0, 100.0]), np.array([1.0, 1.0]), np.zeros(2), 0.019, 1e-10, 50],
        "hidden": True,
    }
    yield {
        "name": "one dimension",
        "args": [np.array([[4.0]]), np.array([2.0]), np.array([-3.0]), 0.1, 1e-9, 500],
        "hidden": True,
    }
    M = rng.normal(size=(4, 4))
    A = M @ M.T + 4.0 * np.eye(4)
    alpha = 1.0 / np.linalg.eigvalsh(A).max()
    yield {
        "name": "random SPD 4 x 4",
        "args": [A, rng.normal(size=4), rng.normal(size=4), float(alpha), 1e-9, 5000],
        "hidden": True,
    }
    yield {
        "name": "max_iter zero",
        "args": [np.eye(2), np.array([1.0, 2.0]), np.zeros(2), 0.5, 1e-9, 0],
        "hidden": True,
    }
