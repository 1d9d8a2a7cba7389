import numpy as np


def svm_dual_ascent(X, y, C, n_sweeps):
    """Dual coordinate ascent for the linear SVM without bias; return (alpha, w)."""
    raise NotImplementedError
