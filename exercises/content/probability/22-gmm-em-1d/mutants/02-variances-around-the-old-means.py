"""variances around the old means"""

import numpy as np


def em_gmm_1d(x, weights, means, variances, n_iter):
    x = np.asarray(x, float)
    w = np.array(weights, float)
    mu = np.array(means, float)
    var = np.array(variances, float)
    for _ in range(n_iter):
        lp = np.log(w) - 0.5 * np.log(2 * np.pi * var) - (x[:, None] - mu) ** 2 / (2 * var)
        lp -= lp.max(axis=1, keepdims=True)
        r = np.exp(lp)
        r /= r.sum(axis=1, keepdims=True)
        nk = r.sum(axis=0)
        var = np.sum(r * (x[:, None] - mu) ** 2, axis=0) / nk
        w = nk / x.size
        mu = r.T @ x / nk
    return w, mu, var
