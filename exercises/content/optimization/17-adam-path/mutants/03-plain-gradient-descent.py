"""plain gradient descent"""

import numpy as np


def adam_path(A, b, w0, lr, n_steps, beta1=0.9, beta2=0.999, eps=1e-8):
    w = np.array(w0, float)
    path = [w.copy()]
    for _ in range(n_steps):
        w = w - lr * (A @ w - b)
        path.append(w.copy())
    return np.array(path)
