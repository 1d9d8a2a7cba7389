import numpy as np


def pca_reduce(X, threshold):
    """Return (k, Z): the smallest k reaching the explained-variance threshold and the projected data."""
    raise NotImplementedError
