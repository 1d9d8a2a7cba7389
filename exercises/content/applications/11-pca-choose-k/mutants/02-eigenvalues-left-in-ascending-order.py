"""eigenvalues left in ascending order"""

import numpy as np


def pca_reduce(X, threshold):
    Xc = X - X.mean(axis=0)
    lam, P = np.linalg.eigh(Xc.T @ Xc / X.shape[0])
    k = int(np.argmax(np.cumsum(lam) / lam.sum() >= threshold)) + 1
    return k, Xc @ P[:, :k]
