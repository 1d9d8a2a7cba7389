"""counts one step too many"""

import numpy as np


def gradient_descent(A, b, x0, alpha, tol, max_iter):
    A = np.asarray(A, float)
    b = np.asarray(b, float)
    x = np.array(x0, float)
    for k in range(max_iter):
        g = A @ x - b
        if np.linalg.norm(g) < tol:
            return x, k + 1
        x = x - alpha * g
    return x, max_iter
