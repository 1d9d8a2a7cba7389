import numpy as np


def em_gmm_1d(x, weights, means, variances, n_iter):
    """Run n_iter EM rounds for a 1-D Gaussian mixture; return (weights, means, variances)."""
    raise NotImplementedError
