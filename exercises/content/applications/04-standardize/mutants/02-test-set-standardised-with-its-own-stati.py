"""test set standardised with its own statistics"""

import numpy as np


def standardize(X_train, X_test):
    def f(X):
        if len(X) == 0:
            return X.astype(float)
        sd = X.std(axis=0)
        return (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)

    return f(X_train), f(X_test)
