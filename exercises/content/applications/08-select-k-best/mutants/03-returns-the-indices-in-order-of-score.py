"""returns the indices in order of score"""

import numpy as np


def select_k_best(X, y, k):
    Xc = X - X.mean(axis=0)
    yc = y - y.mean()
    n = np.linalg.norm(Xc, axis=0) * np.linalg.norm(yc)
    s = np.where(n > 0, np.abs(Xc.T @ yc) / np.where(n > 0, n, 1.0), 0.0)
    return np.argsort(-s, kind="stable")[:k]
