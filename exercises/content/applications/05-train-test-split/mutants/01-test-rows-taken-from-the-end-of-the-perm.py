"""test rows taken from the end of the permutation"""

import numpy as np


def train_test_split(X, y, n_test, seed):
    perm = np.random.default_rng(seed).permutation(len(X))
    cut = len(X) - n_test
    return X[perm[:cut]], X[perm[cut:]], y[perm[:cut]], y[perm[cut:]]
