import numpy as np


def gaussian_nb_proba(X_train, y_train, X_test, var_smoothing=1e-9):
    X_train = np.asarray(X_train, dtype=float)
    X_test = np.asarray(X_test, dtype=float)
    y_train = np.asarray(y_train)
    classes = np.unique(y_train)
    eps = var_smoothing * np.var(X_train, axis=0).max()
    log_joint = np.empty((X_test.shape[0], classes.size))
    for c, label in enumerate(classes):
        rows = X_train[y_train == label]
        mu = rows.mean(axis=0)
        var = rows.var(axis=0) + eps
        log_prior = np.log(rows.shape[0] / X_train.shape[0])
        log_lik = -0.5 * np.sum(np.log(2 * np.pi * var)) - 0.5 * np.sum((X_test - mu) ** 2 / var, axis=1)
        log_joint[:, c] = log_prior + log_lik
    log_joint -= log_joint.max(axis=1, keepdims=True)
    p = np.exp(log_joint)
    return p / p.sum(axis=1, keepdims=True)
