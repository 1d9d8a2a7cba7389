import numpy as np


def impute_mean(X):
    """Replace NaNs by the mean of the observed values in the same column."""
    raise NotImplementedError
