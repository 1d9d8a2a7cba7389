"""plain densities (0/0 far from the components)"""

import numpy as np


def em_gmm_1d(x, weights, means, variances, n_iter):
    x = np.asarray(x, float)
    w = np.array(weights, float)
    mu = np.array(means, float)
    var = np.array(variances, float)
    for _ in range(n_iter):
        dens = w * np.exp(-((x[:, None] - mu) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)
        r = dens / dens.sum(axis=1, keepdims=True)
        nk = r.sum(axis=0)
        w = nk / x.size
        mu = r.T @ x / nk
        var = np.sum(r * (x[:, None] - mu) ** 2, axis=0) / nk
    return w, mu, var
