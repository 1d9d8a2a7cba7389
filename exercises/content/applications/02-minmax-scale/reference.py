import numpy as np


def minmax_scale(X_train, X_test):
    X_train = np.asarray(X_train, dtype=float)
    X_test = np.asarray(X_test, dtype=float)
    lo = X_train.min(axis=0)
    span = X_train.max(axis=0) - lo
    span = np.where(span > 0, span, 1.0)
    return (X_train - lo) / span, (X_test - lo) / span
