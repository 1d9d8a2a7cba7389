"""row means instead of column means"""

import numpy as np


def impute_mean(X):
    X = np.array(X, float)
    with np.errstate(all="ignore"):
        m = np.nan_to_num(np.nanmean(X, axis=1))
    return np.where(np.isnan(X), m[:, None], X)
