import numpy as np


def adam_path(A, b, w0, lr, n_steps, beta1=0.9, beta2=0.999, eps=1e-8):
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    w = np.array(w0, dtype=float)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    path = [w.copy()]
    for t in range(1, n_steps + 1):
        g = A @ w - b
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        w = w - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        path.append(w.copy())
    return np.array(path)
