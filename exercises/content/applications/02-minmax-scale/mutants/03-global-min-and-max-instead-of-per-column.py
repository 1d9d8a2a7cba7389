"""global min and max instead of per column"""


def minmax_scale(X_train, X_test):
    lo = X_train.min()
    span = X_train.max() - lo
    span = span if span > 0 else 1.0
    return (X_train - lo) / span, (X_test - lo) / span
