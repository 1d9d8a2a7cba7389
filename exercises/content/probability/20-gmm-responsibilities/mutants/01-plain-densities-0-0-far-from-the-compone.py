"""plain densities (0/0 far from the components)"""

import numpy as np


def gmm_responsibilities(X, weights, means, covs):
    X = np.asarray(X, float)
    n, d = X.shape
    dens = np.empty((n, len(weights)))
    for k in range(len(weights)):
        diff = X - means[k]
        maha = np.sum(diff @ np.linalg.inv(covs[k]) * diff, axis=1)
        dens[:, k] = weights[k] * np.exp(-0.5 * maha) / np.sqrt((2 * np.pi) ** d * np.linalg.det(covs[k]))
    return dens / dens.sum(axis=1, keepdims=True)
