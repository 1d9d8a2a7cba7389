"""gradient missing the 1/n"""

import numpy as np


def train_network(X, Y, W1, b1, W2, b2, lr, epochs):
    W1, b1, W2, b2 = (np.array(a, float) for a in (W1, b1, W2, b2))
    n = len(X)
    losses = []
    for _ in range(epochs):
        H = np.tanh(X @ W1 + b1)
        S = H @ W2 + b2
        S = S - S.max(axis=1, keepdims=True)
        lp = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
        losses.append(-np.sum(Y * lp) / n)
        d2 = np.exp(lp) - Y
        d1 = (d2 @ W2.T) * (1 - H**2)
        W2 -= lr * H.T @ d2
        b2 -= lr * d2.sum(0)
        W1 -= lr * X.T @ d1
        b1 -= lr * d1.sum(0)
    return W1, b1, W2, b2, np.array(losses)
