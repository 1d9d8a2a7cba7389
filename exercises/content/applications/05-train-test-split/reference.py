import numpy as np


def train_test_split(X, y, n_test, seed):
    X = np.asarray(X)
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(X))
    test_idx, train_idx = perm[:n_test], perm[n_test:]
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]
