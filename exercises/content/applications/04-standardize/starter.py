import numpy as np


def standardize(X_train, X_test):
    """Standardise both arrays with the column means and stds of X_train."""
    raise NotImplementedError
