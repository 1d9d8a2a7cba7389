import numpy as np


def pca_reduce(X, threshold):
    X = np.asarray(X, dtype=float)
    Xc = X - X.mean(axis=0)
    C = Xc.T @ Xc / X.shape[0]
    lam, P = np.linalg.eigh(C)
    lam, P = lam[::-1], P[:, ::-1]
    ratios = np.cumsum(lam) / lam.sum()
    k = int(np.argmax(ratios >= threshold)) + 1
    return k, Xc @ P[:, :k]
