import numpy as np


def gmm_responsibilities(X, weights, means, covs):
    X = np.asarray(X, dtype=float)
    weights = np.asarray(weights, dtype=float)
    means = np.asarray(means, dtype=float)
    covs = np.asarray(covs, dtype=float)
    n, d = X.shape
    K = weights.size
    log_p = np.empty((n, K))
    for k in range(K):
        L = np.linalg.cholesky(covs[k])
        z = np.linalg.solve(L, (X - means[k]).T)  # (d, n): L z = x - mu
        maha = np.sum(z**2, axis=0)
        log_det = 2.0 * np.sum(np.log(np.diag(L)))
        with np.errstate(divide="ignore"):
            log_w = np.log(weights[k])
        log_p[:, k] = log_w - 0.5 * (d * np.log(2 * np.pi) + log_det + maha)
    log_p -= log_p.max(axis=1, keepdims=True)
    r = np.exp(log_p)
    return r / r.sum(axis=1, keepdims=True)
