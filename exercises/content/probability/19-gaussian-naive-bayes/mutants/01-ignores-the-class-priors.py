"""ignores the class priors"""

import numpy as np


def gaussian_nb_proba(X_train, y_train, X_test, var_smoothing=1e-9):
    X_train = np.asarray(X_train, float)
    X_test = np.asarray(X_test, float)
    classes = np.unique(y_train)
    eps = var_smoothing * np.var(X_train, axis=0).max()
    lj = np.empty((X_test.shape[0], classes.size))
    for c, label in enumerate(classes):
        rows = X_train[y_train == label]
        mu, var = rows.mean(0), rows.var(0) + eps
        lj[:, c] = -0.5 * np.sum(np.log(2 * np.pi * var)) - 0.5 * np.sum((X_test - mu) ** 2 / var, axis=1)
    lj -= lj.max(axis=1, keepdims=True)
    p = np.exp(lj)
    return p / p.sum(axis=1, keepdims=True)
