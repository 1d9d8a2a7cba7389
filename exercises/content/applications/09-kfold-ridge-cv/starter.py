import numpy as np


def kfold_ridge_cv(X, y, lambdas, k):
    """Return (mean validation MSE per lambda, the best lambda)."""
    raise NotImplementedError
