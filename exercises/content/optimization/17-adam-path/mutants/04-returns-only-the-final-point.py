"""returns only the final point"""

import numpy as np


def adam_path(A, b, w0, lr, n_steps, beta1=0.9, beta2=0.999, eps=1e-8):
    w = np.array(w0, float)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, n_steps + 1):
        g = A @ w - b
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        w = w - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return w
