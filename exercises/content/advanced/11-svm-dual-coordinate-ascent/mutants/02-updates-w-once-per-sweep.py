"""updates w once per sweep"""

import numpy as np


def svm_dual_ascent(X, y, C, n_sweeps):
    X = np.asarray(X, float)
    n, d = X.shape
    alpha, w = np.zeros(n), np.zeros(d)
    for _ in range(n_sweeps):
        for i in range(n):
            q = X[i] @ X[i]
            if q == 0:
                continue
            alpha[i] = min(max(alpha[i] + (1 - y[i] * (w @ X[i])) / q, 0.0), C)
        w = X.T @ (alpha * y)
    return alpha, w
