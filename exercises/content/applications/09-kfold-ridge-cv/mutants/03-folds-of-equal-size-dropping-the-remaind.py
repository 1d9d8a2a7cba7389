"""folds of equal size, dropping the remainder rows"""

import numpy as np


def kfold_ridge_cv(X, y, lambdas, k):
    size = len(y) // k
    errors = np.zeros(len(lambdas))
    for f in range(k):
        fold = np.arange(f * size, (f + 1) * size)
        train = np.ones(len(y), dtype=bool)
        train[fold] = False
        for i, lam in enumerate(lambdas):
            w = np.linalg.solve(X[train].T @ X[train] + lam * np.eye(X.shape[1]), X[train].T @ y[train])
            errors[i] += np.mean((X[fold] @ w - y[fold]) ** 2)
    errors /= k
    return errors, float(lambdas[int(np.argmin(errors))])
