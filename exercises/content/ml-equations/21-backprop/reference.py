import numpy as np


def backprop(X, Y, W1, b1, W2, b2):
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    m = X.shape[1]
    A1 = np.tanh(W1 @ X + b1)
    Z2 = W2 @ A1 + b2
    A2 = 0.5 * (1.0 + np.tanh(0.5 * Z2))
    d2 = (A2 - Y) / m
    dW2 = d2 @ A1.T
    db2 = d2.sum(axis=1, keepdims=True)
    d1 = (W2.T @ d2) * (1.0 - A1**2)
    dW1 = d1 @ X.T
    db1 = d1.sum(axis=1, keepdims=True)
    return dW1, db1, dW2, db2
