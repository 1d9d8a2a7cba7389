"""no shuffling"""


def train_test_split(X, y, n_test, seed):
    return X[n_test:], X[:n_test], y[n_test:], y[:n_test]
