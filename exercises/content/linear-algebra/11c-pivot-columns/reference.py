import numpy as np


def pivot_columns(A, tol=1e-10):
    M = np.array(A, dtype=float)
    m, n = M.shape
    scale = float(np.max(np.abs(M))) if M.size else 0.0
    pivots = []
    r = 0
    for j in range(n):
        if r == m:
            break
        p = r + int(np.argmax(np.abs(M[r:, j])))
        if abs(M[p, j]) <= tol * scale or scale == 0.0:
            continue
        if p != r:
            M[[r, p]] = M[[p, r]]
        M[r + 1 :] -= np.outer(M[r + 1 :, j] / M[r, j], M[r])
        pivots.append(j)
        r += 1
    return np.array(pivots, dtype=int)
