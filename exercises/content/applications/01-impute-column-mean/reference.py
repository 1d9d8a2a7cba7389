import numpy as np


def impute_mean(X):
    X = np.array(X, dtype=float)
    observed = ~np.isnan(X)
    counts = observed.sum(axis=0)
    sums = np.where(observed, X, 0.0).sum(axis=0)
    means = np.divide(sums, counts, out=np.zeros(X.shape[1]), where=counts > 0)
    return np.where(observed, X, means)
