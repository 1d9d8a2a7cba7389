import numpy as np


def standardized_importance(X, y):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    mu = X.mean(axis=0)
    sd = X.std(axis=0)
    Z = np.where(sd > 0, (X - mu) / np.where(sd > 0, sd, 1.0), 0.0)
    w, *_ = np.linalg.lstsq(Z, y - y.mean(), rcond=None)
    order = np.argsort(-np.abs(w), kind="stable")
    return w, order
