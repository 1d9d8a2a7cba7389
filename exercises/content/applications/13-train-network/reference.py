import numpy as np


def train_network(X, Y, W1, b1, W2, b2, lr, epochs):
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    W1, b1 = np.array(W1, dtype=float), np.array(b1, dtype=float)
    W2, b2 = np.array(W2, dtype=float), np.array(b2, dtype=float)
    n = X.shape[0]
    losses = []
    for _ in range(int(epochs)):
        H = np.tanh(X @ W1 + b1)
        S = H @ W2 + b2
        S = S - S.max(axis=1, keepdims=True)
        log_p = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
        losses.append(-np.sum(Y * log_p) / n)
        d2 = (np.exp(log_p) - Y) / n
        gW2 = H.T @ d2
        gb2 = d2.sum(axis=0)
        d1 = (d2 @ W2.T) * (1.0 - H**2)
        gW1 = X.T @ d1
        gb1 = d1.sum(axis=0)
        W1 -= lr * gW1
        b1 -= lr * gb1
        W2 -= lr * gW2
        b2 -= lr * gb2
    return W1, b1, W2, b2, np.array(losses, dtype=float)
