import numpy as np


def select_k_best(X, y, k):
    Xc = np.asarray(X, dtype=float) - np.mean(X, axis=0)
    yc = np.asarray(y, dtype=float) - np.mean(y)
    norms = np.linalg.norm(Xc, axis=0) * np.linalg.norm(yc)
    safe = np.where(norms > 0, norms, 1.0)
    scores = np.where(norms > 0, np.abs(Xc.T @ yc) / safe, 0.0)
    return np.sort(np.argsort(-scores, kind="stable")[:k])
