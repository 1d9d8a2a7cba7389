"""sample standard deviation (ddof = 1)"""

import numpy as np


def standardized_importance(X, y):
    sd = X.std(axis=0, ddof=1)
    Z = np.where(sd > 0, (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0), 0.0)
    w, *_ = np.linalg.lstsq(Z, y - y.mean(), rcond=None)
    return w, np.argsort(-np.abs(w), kind="stable")
