import numpy as np


def kfold_ridge_cv(X, y, lambdas, k):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    lambdas = np.asarray(lambdas, dtype=float)
    folds = np.array_split(np.arange(len(y)), k)
    errors = np.zeros(len(lambdas))
    for fold in folds:
        train = np.ones(len(y), dtype=bool)
        train[fold] = False
        gram, rhs = X[train].T @ X[train], X[train].T @ y[train]
        for index, lam in enumerate(lambdas):
            w = np.linalg.solve(gram + lam * np.eye(X.shape[1]), rhs)
            errors[index] += np.mean((X[fold] @ w - y[fold]) ** 2)
    errors /= k
    return errors, float(lambdas[int(np.argmin(errors))])
