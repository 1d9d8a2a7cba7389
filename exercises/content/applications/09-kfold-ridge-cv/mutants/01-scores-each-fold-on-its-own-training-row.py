"""scores each fold on its own training rows"""

import numpy as np


def kfold_ridge_cv(X, y, lambdas, k):
    folds = np.array_split(np.arange(len(y)), k)
    errors = np.zeros(len(lambdas))
    for fold in folds:
        train = np.ones(len(y), dtype=bool)
        train[fold] = False
        for i, lam in enumerate(lambdas):
            w = np.linalg.solve(X[train].T @ X[train] + lam * np.eye(X.shape[1]), X[train].T @ y[train])
            errors[i] += np.mean((X[train] @ w - y[train]) ** 2)
    errors /= k
    return errors, float(lambdas[int(np.argmin(errors))])
