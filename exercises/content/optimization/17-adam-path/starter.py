import numpy as np


def adam_path(A, b, w0, lr, n_steps, beta1=0.9, beta2=0.999, eps=1e-8):
    """Return the (n_steps + 1, d) points Adam visits on 0.5 w^T A w - b^T w."""
    raise NotImplementedError
