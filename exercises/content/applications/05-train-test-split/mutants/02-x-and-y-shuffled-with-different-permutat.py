"""X and y shuffled with different permutations"""

import numpy as np


def train_test_split(X, y, n_test, seed):
    rng = np.random.default_rng(seed)
    px = rng.permutation(len(X))
    py = rng.permutation(len(y))
    return X[px[n_test:]], X[px[:n_test]], y[py[n_test:]], y[py[:n_test]]
