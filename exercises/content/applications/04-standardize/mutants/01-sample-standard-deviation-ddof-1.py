"""sample standard deviation (ddof = 1)"""

import numpy as np


def standardize(X_train, X_test):
    mu = X_train.mean(axis=0)
    sd = X_train.std(axis=0, ddof=1) if len(X_train) > 1 else np.ones(X_train.shape[1])
    sd = np.where(sd > 0, sd, 1.0)
    return (X_train - mu) / sd, (X_test - mu) / sd
