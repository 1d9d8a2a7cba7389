import numpy as np


def gradient_descent(A, b, x0, alpha, tol, max_iter):
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    x = np.array(x0, dtype=float)
    steps = 0
    while True:
        g = A @ x - b
        if np.linalg.norm(g) < tol or steps >= max_iter:
            return x, steps
        x = x - alpha * g
        steps += 1
