import numpy as np


def em_gmm_1d(x, weights, means, variances, n_iter):
    x = np.asarray(x, dtype=float)
    w = np.array(weights, dtype=float)
    mu = np.array(means, dtype=float)
    var = np.array(variances, dtype=float)
    for _ in range(n_iter):
        diff = x[:, None] - mu[None, :]
        log_p = np.log(w)[None, :] - 0.5 * np.log(2 * np.pi * var)[None, :] - diff**2 / (2 * var[None, :])
        log_p -= log_p.max(axis=1, keepdims=True)
        r = np.exp(log_p)
        r /= r.sum(axis=1, keepdims=True)
        nk = r.sum(axis=0)
        w = nk / x.size
        mu = r.T @ x / nk
        var = np.sum(r * (x[:, None] - mu[None, :]) ** 2, axis=0) / nk
    return w, mu, var
