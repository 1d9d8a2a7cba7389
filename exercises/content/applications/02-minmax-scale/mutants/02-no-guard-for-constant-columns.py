"""no guard for constant columns"""


def minmax_scale(X_train, X_test):
    lo = X_train.min(axis=0)
    span = X_train.max(axis=0) - lo
    return (X_train - lo) / span, (X_test - lo) / span
