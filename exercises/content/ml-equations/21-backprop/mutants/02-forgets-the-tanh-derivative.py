"""forgets the tanh derivative"""

import numpy as np


def backprop(X, Y, W1, b1, W2, b2):
    m = X.shape[1]
    A1 = np.tanh(W1 @ X + b1)
    A2 = 0.5 * (1.0 + np.tanh(0.5 * (W2 @ A1 + b2)))
    d2 = (A2 - Y) / m
    d1 = W2.T @ d2
    return d1 @ X.T, d1.sum(axis=1, keepdims=True), d2 @ A1.T, d2.sum(axis=1, keepdims=True)
