"""k off by one"""

import numpy as np


def pca_reduce(X, threshold):
    Xc = X - X.mean(axis=0)
    lam, P = np.linalg.eigh(Xc.T @ Xc / X.shape[0])
    lam, P = lam[::-1], P[:, ::-1]
    k = int(np.argmax(np.cumsum(lam) / lam.sum() >= threshold))
    return k, Xc @ P[:, :k]
