"""The data sets the applications module grades on, loaded inside the sandbox.

Course code imports it with `from _shared.datasets import load`; the course loader inlines
this file in its place, so what the sandbox runs needs no file of the course.
"""

import io
import os
import zlib

import numpy as np


def load(name):
    """(X, y) of a data set bundled with scikit-learn: "iris", "wine" or "diabetes"."""
    try:
        from sklearn import datasets

        return getattr(datasets, "load_" + name)(return_X_y=True)
    except ImportError:
        pass
    # Fallback when scikit-learn cannot be imported here: read the very files it ships.
    folder = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "sklearn", "datasets", "data")
    if name in ("iris", "wine"):
        path = os.path.join(folder, "iris.csv" if name == "iris" else "wine_data.csv")
        table = np.loadtxt(path, delimiter=",", skiprows=1)
        return table[:, :-1], table[:, -1].astype(int)

    def read_gz(file_name):
        with open(os.path.join(folder, file_name), "rb") as handle:
            text = zlib.decompress(handle.read(), 16 + zlib.MAX_WBITS).decode()
        return np.loadtxt(io.StringIO(text))

    X = read_gz("diabetes_data_raw.csv.gz")
    X = (X - X.mean(axis=0)) / X.std(axis=0) / np.sqrt(X.shape[0])
    return X, read_gz("diabetes_target.csv.gz")
