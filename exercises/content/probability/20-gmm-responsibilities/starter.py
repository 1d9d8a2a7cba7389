import numpy as np


def gmm_responsibilities(X, weights, means, covs):
    """Return the (n, K) matrix of posterior component probabilities."""
    raise NotImplementedError
