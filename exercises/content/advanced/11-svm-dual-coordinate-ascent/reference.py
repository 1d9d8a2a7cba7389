import numpy as np


def svm_dual_ascent(X, y, C, n_sweeps):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = X.shape
    alpha = np.zeros(n)
    w = np.zeros(d)
    Q = np.sum(X**2, axis=1)
    for _ in range(n_sweeps):
        for i in range(n):
            if Q[i] == 0.0:
                continue
            new = min(max(alpha[i] + (1.0 - y[i] * (w @ X[i])) / Q[i], 0.0), C)
            w += (new - alpha[i]) * y[i] * X[i]
            alpha[i] = new
    return alpha, w
