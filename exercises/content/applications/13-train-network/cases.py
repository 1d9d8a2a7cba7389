import numpy as np
from _shared.datasets import load


def init(rng, d, h, c, scale=0.5):
    return [rng.normal(scale=scale, size=(d, h)), np.zeros(h), rng.normal(scale=scale, size=(h, c)), np.zeros(c)]


def cases(rng):
    iris_X, iris_y = load("iris")
    X = (iris_X - iris_X.mean(axis=0)) / iris_X.std(axis=0)
    Y = np.eye(3)[iris_y]
    yield {"name": "iris, 8 hidden units, 5 epochs", "args": [X, Y, *init(rng, 4, 8, 3), 0.5, 5]}
    Xs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Ys = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    yield {"name": "XOR, 3 hidden units, 3 epochs", "args": [Xs, Ys, *init(rng, 2, 3, 2), 1.0, 3]}
    yield {"name": "iris, 200 epochs", "args": [X, Y, *init(rng, 4, 8, 3), 0.5, 200], "hidden": True}
    yield {"name": "zero epochs", "args": [X, Y, *init(rng, 4, 5, 3), 0.5, 0], "hidden": True}
    W1, b1, W2, b2 = init(rng, 4, 6, 3)
    # Scaled so that the largest initial score is 1500, whatever was drawn: far past where
    # exp overflows (about 709), so a softmax without the max shift gives inf / inf.
    W2 = W2 * (1500.0 / (np.tanh(X @ W1 + b1) @ W2).max())
    yield {"name": "huge initial scores", "args": [X, Y, W1, b1, W2, b2, 1e-4, 3], "hidden": True}
    yield {"name": "single sample", "args": [X[:1], Y[:1], *init(rng, 4, 4, 3), 0.1, 4], "hidden": True}
