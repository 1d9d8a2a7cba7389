"""every non-zero column"""

import numpy as np


def pivot_columns(A, tol=1e-10):
    A = np.asarray(A, float)
    return [j for j in range(A.shape[1]) if np.any(A[:, j] != 0)]
