import numpy as np


def poly2_features(X):
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    cols = [np.ones((n, 1)), X]
    for i in range(d):
        cols.append(X[:, i : i + 1] * X[:, i:])
    return np.hstack(cols)
