import numpy as np


def _design(X, columns):
    return np.column_stack([np.ones(len(X))] + [X[:, j] for j in columns])


def forward_selection(X_train, y_train, X_val, y_val, k):
    X_train, X_val = np.asarray(X_train, dtype=float), np.asarray(X_val, dtype=float)
    y_train, y_val = np.asarray(y_train, dtype=float), np.asarray(y_val, dtype=float)
    chosen = []
    for _ in range(k):
        best, best_error = None, np.inf
        for j in range(X_train.shape[1]):
            if j in chosen:
                continue
            columns = [*chosen, j]
            w = np.linalg.lstsq(_design(X_train, columns), y_train, rcond=None)[0]
            error = np.mean((_design(X_val, columns) @ w - y_val) ** 2)
            if error < best_error:
                best, best_error = j, error
        chosen.append(best)
    return np.array(chosen, dtype=int)
