"""fills with zero"""

import numpy as np


def impute_mean(X):
    return np.nan_to_num(np.array(X, float))
