"""multiplies densities directly (underflow)"""

import numpy as np


def gaussian_nb_proba(X_train, y_train, X_test, var_smoothing=1e-9):
    X_train = np.asarray(X_train, float)
    X_test = np.asarray(X_test, float)
    classes = np.unique(y_train)
    eps = var_smoothing * np.var(X_train, axis=0).max()
    joint = np.empty((X_test.shape[0], classes.size))
    for c, label in enumerate(classes):
        rows = X_train[y_train == label]
        mu, var = rows.mean(0), rows.var(0) + eps
        dens = np.exp(-((X_test - mu) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)
        joint[:, c] = rows.shape[0] / X_train.shape[0] * dens.prod(axis=1)
    return joint / joint.sum(axis=1, keepdims=True)
