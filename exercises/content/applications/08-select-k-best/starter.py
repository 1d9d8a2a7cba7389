import numpy as np


def select_k_best(X, y, k):
    """Indices (increasing) of the k columns most correlated with y in absolute value."""
    raise NotImplementedError
