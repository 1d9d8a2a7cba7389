import numpy as np


def cases(rng):
    means = np.array([[0.0, 0.0], [3.0, 3.0]])
    covs = np.array([np.eye(2), [[2.0, 0.5], [0.5, 1.0]]])
    X = np.array([[0.0, 0.0], [1.5, 1.5], [3.0, 3.0], [-1.0, 2.0]])
    yield {"name": "two components in 2-D", "args": [X, np.array([0.5, 0.5]), means, covs]}
    yield {
        "name": "unequal weights, 1-D",
        "args": [
            np.array([[-2.0], [0.0], [0.5], [4.0]]),
            np.array([0.8, 0.2]),
            np.array([[0.0], [2.0]]),
            np.array([[[1.0]], [[0.25]]]),
        ],
    }
    yield {
        "name": "points far from every component",
        "args": [np.array([[60.0, 60.0], [-80.0, 5.0], [200.0, -200.0]]), np.array([0.3, 0.7]), means, covs],
        "hidden": True,
    }
    yield {
        "name": "exactly halfway between identical components",
        "args": [
            np.array([[1.0, 1.0]]),
            np.array([0.5, 0.5]),
            np.array([[0.0, 0.0], [2.0, 2.0]]),
            np.array([np.eye(2), np.eye(2)]),
        ],
        "hidden": True,
    }
    yield {
        "name": "a single component",
        "args": [rng.normal(size=(5, 3)), np.array([1.0]), np.zeros((1, 3)), np.eye(3)[None]],
        "hidden": True,
    }
    yield {
        "name": "a component with weight 0",
        "args": [
            X,
            np.array([0.0, 0.4, 0.6]),
            np.array([[0.0, 0.0], [3.0, 3.0], [0.0, 3.0]]),
            np.array([np.eye(2), np.eye(2), 0.5 * np.eye(2)]),
        ],
        "hidden": True,
    }
    A = rng.normal(size=(3, 3, 3))
    covs3 = np.einsum("kij,klj->kil", A, A) + 0.1 * np.eye(3)
    covs3[0] = np.array([[1.0, 0.999, 0.0], [0.999, 1.0, 0.0], [0.0, 0.0, 1.0]])
    yield {
        "name": "random 3-D mixture with a nearly singular covariance",
        "args": [rng.normal(0, 2, size=(8, 3)), np.array([0.2, 0.5, 0.3]), rng.normal(0, 1, size=(3, 3)), covs3],
        "hidden": True,
    }
