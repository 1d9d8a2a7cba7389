"""compares pivots with exact zero"""

import numpy as np


def pivot_columns(A, tol=1e-10):
    M = np.array(A, dtype=float)
    m, n = M.shape
    pivots, r = [], 0
    for j in range(n):
        if r == m:
            break
        p = r + int(np.argmax(np.abs(M[r:, j])))
        if M[p, j] == 0.0:
            continue
        M[[r, p]] = M[[p, r]]
        M[r + 1 :] -= np.outer(M[r + 1 :, j] / M[r, j], M[r])
        pivots.append(j)
        r += 1
    return pivots
