import numpy as np


def gradient_descent(A, b, x0, alpha, tol, max_iter):
    """Return (x, steps) after running gradient descent on 0.5 x^T A x - b^T x."""
    raise NotImplementedError
