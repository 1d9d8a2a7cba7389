"""no intercept"""

import numpy as np


def forward_selection(X_train, y_train, X_val, y_val, k):
    chosen = []
    for _ in range(k):
        errors = []
        for j in range(X_train.shape[1]):
            if j in chosen:
                errors.append(np.inf)
                continue
            cols = chosen + [j]
            w = np.linalg.lstsq(X_train[:, cols], y_train, rcond=None)[0]
            errors.append(np.mean((X_val[:, cols] @ w - y_val) ** 2))
        chosen.append(int(np.argmin(errors)))
    return np.array(chosen)
