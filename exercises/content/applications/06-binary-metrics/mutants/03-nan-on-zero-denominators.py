"""nan on zero denominators"""

import numpy as np


def binary_metrics(y_true, y_pred):
    t = np.asarray(y_true) == 1
    p = np.asarray(y_pred) == 1
    tp = np.float64(np.sum(t & p))
    fp = np.sum(~t & p)
    fn = np.sum(t & ~p)
    acc = np.mean(t == p)
    prec = tp / (tp + fp)
    rec = tp / (tp + fn)
    return float(acc), float(prec), float(rec), float(2 * prec * rec / (prec + rec))
