"""linear kernel instead of RBF"""

import numpy as np


def kernel_svm_fit_predict(X_train, y_train, X_test, C, gamma):
    X, y = X_train, y_train
    K = X @ X.T
    Q = np.outer(y, y) * K
    alpha, g = np.zeros(len(y)), -np.ones(len(y))
    for _ in range(200000):
        up = ((y > 0) & (alpha < C)) | ((y < 0) & (alpha > 0))
        low = ((y > 0) & (alpha > 0)) | ((y < 0) & (alpha < C))
        s = -y * g
        i = np.flatnonzero(up)[np.argmax(s[up])]
        j = np.flatnonzero(low)[np.argmin(s[low])]
        if s[i] - s[j] < 1e-8:
            break
        ri = C - alpha[i] if y[i] > 0 else alpha[i]
        rj = alpha[j] if y[j] > 0 else C - alpha[j]
        tau = min((s[i] - s[j]) / max(K[i, i] + K[j, j] - 2 * K[i, j], 1e-12), ri, rj)
        alpha[i] += y[i] * tau
        alpha[j] -= y[j] * tau
        g += tau * (y[i] * Q[:, i] - y[j] * Q[:, j])
    s = -y * g
    up = ((y > 0) & (alpha < C)) | ((y < 0) & (alpha > 0))
    low = ((y > 0) & (alpha > 0)) | ((y < 0) & (alpha < C))
    b = 0.5 * (s[up].max() + s[low].min())
    return (alpha * y) @ (X @ X_test.T) + b
