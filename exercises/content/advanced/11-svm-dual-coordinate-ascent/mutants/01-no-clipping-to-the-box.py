"""no clipping to the box"""

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
            new = alpha[i] + (1 - y[i] * (w @ X[i])) / q
            w += (new - alpha[i]) * y[i] * X[i]
            alpha[i] = new
    return alpha, w
