"""forgets to divide by x_i^T x_i"""

import numpy as np


def svm_dual_ascent(X, y, C, n_sweeps):
    X = np.asarray(X, float)
    n, d = X.shape
    alpha, w = np.zeros(n), np.zeros(d)
    for _ in range(n_sweeps):
        for i in range(n):
            if X[i] @ X[i] == 0:
                continue
            new = min(max(alpha[i] + (1 - y[i] * (w @ X[i])), 0.0), C)
            w += (new - alpha[i]) * y[i] * X[i]
            alpha[i] = new
    return alpha, w
