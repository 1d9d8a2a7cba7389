import numpy as np


def cases(rng):
    X = np.array([[1.0, 2.0], [1.5, 1.8], [2.0, 2.6], [5.0, 8.0], [6.0, 9.0], [5.5, 7.4]])
    y = np.array([0, 0, 0, 1, 1, 1])
    yield {"name": "two clusters in 2-D", "args": [X, y, np.array([[1.2, 2.1], [3.5, 5.0], [5.8, 8.2]])]}
    X3 = np.vstack([rng.normal(m, 1.0, size=(10, 3)) for m in (0.0, 3.0, 6.0)])
    y3 = np.repeat([2, 5, 7], 10)
    yield {"name": "three classes with labels 2, 5, 7", "args": [X3, y3, rng.normal(3.0, 2.0, size=(5, 3))]}
    # Imbalanced classes with the same spread: midway between them only the prior decides.
    Xi = np.array([[-1.0], [1.0], [-1.0], [1.0], [-1.0], [1.0], [9.0], [11.0]])
    yi = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    yield {"name": "imbalanced classes", "args": [Xi, yi, np.array([[5.0], [0.0], [10.0]])], "hidden": True}
    d = 600
    Xh = np.vstack([rng.normal(0.0, 1.0, size=(20, d)), rng.normal(0.4, 1.2, size=(15, d))])
    yh = np.repeat([0, 1], [20, 15])
    Xt = np.vstack([rng.normal(0.0, 1.0, size=(3, d)), rng.normal(0.4, 1.2, size=(3, d))])
    yield {"name": "600 features (densities underflow)", "args": [Xh, yh, Xt], "hidden": True}
    Xs = np.array([[0.0, 0.0], [0.2, 0.1], [-0.1, 0.3], [4.0, 4.0]])
    ys = np.array([1, 1, 1, 0])
    yield {
        "name": "a class with one training row",
        "args": [Xs, ys, np.array([[4.0, 4.0], [0.1, 0.1]])],
        "kwargs": {"var_smoothing": 0.05},
        "hidden": True,
    }
    yield {"name": "a single test point", "args": [X, y, np.array([[3.0, 4.0]])], "hidden": True}
    # The smoothing uses the largest feature variance for every feature, not each feature's own.
    Xd = np.array([[0.0, 0.0], [0.5, 40.0], [-0.4, -30.0], [0.2, 10.0], [3.0, 200.0]])
    yield {
        "name": "features on different scales, a class with one row",
        "args": [Xd, np.array([1, 1, 1, 1, 0]), np.array([[3.0, 200.0], [2.0, 150.0], [1.0, 60.0]])],
        "kwargs": {"var_smoothing": 0.01},
        "hidden": True,
    }
