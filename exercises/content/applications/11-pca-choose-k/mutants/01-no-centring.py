"""no centring"""

import numpy as np


def pca_reduce(X, threshold):
    C = X.T @ X / X.shape[0]
    lam, P = np.linalg.eigh(C)
    lam, P = lam[::-1], P[:, ::-1]
    k = int(np.argmax(np.cumsum(lam) / lam.sum() >= threshold)) + 1
    return k, X @ P[:, :k]
