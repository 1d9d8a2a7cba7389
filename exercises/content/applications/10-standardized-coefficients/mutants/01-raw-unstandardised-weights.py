"""raw (unstandardised) weights"""

import numpy as np


def standardized_importance(X, y):
    Xc = X - X.mean(axis=0)
    w, *_ = np.linalg.lstsq(Xc, y - y.mean(), rcond=None)
    return w, np.argsort(-np.abs(w), kind="stable")
