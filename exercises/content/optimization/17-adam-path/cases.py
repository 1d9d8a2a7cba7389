import numpy as np


def cases(rng):
    A = np.array([[1.0, 0.0], [0.0, 50.0]])
    b = np.array([1.0, 1.0])
    yield {"name": "narrow valley, 40 steps", "args": [A, b, np.array([-4.0, 1.0]), 0.25, 40]}
    yield {
        "name": "three steps by hand",
        "args": [np.array([[2.0, 0.0], [0.0, 2.0]]), np.zeros(2), np.array([1.0, -1.0]), 0.1, 3],
    }
    yield {"name": "zero steps", "args": [A, b, np.array([2.0, 3.0]), 0.1, 0], "hidden": True}
    yield {"name": "starting at the minimum", "args": [A, b, np.array([1.0, 0.02]), 0.1, 5], "hidden": True}
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    A3 = Q @ np.diag([0.1, 1.0, 20.0]) @ Q.T
    yield {
        "name": "3-D, other betas",
        "args": [A3, rng.normal(size=3), rng.normal(size=3), 0.05, 30],
        "kwargs": {"beta1": 0.8, "beta2": 0.99},
        "hidden": True,
    }
    yield {
        "name": "one dimension, long run",
        "args": [np.array([[4.0]]), np.array([2.0]), np.array([-3.0]), 0.3, 80],
        "hidden": True,
    }
