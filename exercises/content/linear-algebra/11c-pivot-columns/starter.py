import numpy as np


def pivot_columns(A, tol=1e-10):
    """Indices of the columns of A that receive a pivot in row reduction."""
    raise NotImplementedError
