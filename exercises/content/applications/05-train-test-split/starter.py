import numpy as np


def train_test_split(X, y, n_test, seed):
    """Return X_train, X_test, y_train, y_test from a seeded permutation."""
    raise NotImplementedError
