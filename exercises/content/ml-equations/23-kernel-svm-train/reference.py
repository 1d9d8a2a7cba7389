import numpy as np


def _rbf(A, B, gamma):
    return np.exp(-gamma * ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=-1))


def _sets(alpha, y, C):
    up = ((y > 0) & (alpha < C)) | ((y < 0) & (alpha > 0))
    low = ((y > 0) & (alpha > 0)) | ((y < 0) & (alpha < C))
    return up, low


def kernel_svm_fit_predict(X_train, y_train, X_test, C, gamma):
    X = np.asarray(X_train, dtype=float)
    y = np.asarray(y_train, dtype=float)
    K = _rbf(X, X, gamma)
    Q = np.outer(y, y) * K
    alpha = np.zeros(len(y))
    g = -np.ones(len(y))
    for _ in range(200_000):
        up, low = _sets(alpha, y, C)
        s = -y * g
        i = np.flatnonzero(up)[np.argmax(s[up])]
        j = np.flatnonzero(low)[np.argmin(s[low])]
        if s[i] - s[j] < 1e-8:
            break
        room_i = C - alpha[i] if y[i] > 0 else alpha[i]
        room_j = alpha[j] if y[j] > 0 else C - alpha[j]
        tau = min((s[i] - s[j]) / max(K[i, i] + K[j, j] - 2 * K[i, j], 1e-12), room_i, room_j)
        alpha[i] += y[i] * tau
        alpha[j] -= y[j] * tau
        g += tau * (y[i] * Q[:, i] - y[j] * Q[:, j])
    up, low = _sets(alpha, y, C)
    s = -y * g
    b = 0.5 * (s[up].max() + s[low].min())
    return (alpha * y) @ _rbf(X, np.asarray(X_test, dtype=float), gamma) + b
