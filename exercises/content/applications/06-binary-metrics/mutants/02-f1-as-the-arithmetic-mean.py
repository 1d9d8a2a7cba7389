"""F1 as the arithmetic mean"""

import numpy as np


def binary_metrics(y_true, y_pred):
    t = np.asarray(y_true) == 1
    p = np.asarray(y_pred) == 1
    tp = np.sum(t & p)
    fp = np.sum(~t & p)
    fn = np.sum(t & ~p)
    acc = np.mean(t == p)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return float(acc), float(prec), float(rec), float((prec + rec) / 2)
