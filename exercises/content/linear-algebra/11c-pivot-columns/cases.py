import numpy as np


def cases(rng):
    yield {
        "name": "second column is twice the first",
        "args": [np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 0.0], [3.0, 6.0, 1.0]])],
    }
    yield {"name": "independent columns", "args": [np.array([[2.0, 1.0], [1.0, 3.0], [0.0, 1.0]])]}
    yield {"name": "a zero first column", "args": [np.array([[0.0, 1.0, 2.0], [0.0, 3.0, 4.0]])], "hidden": True}
    yield {
        "name": "rows 1..9 (rank 2, rounding leaves tiny values)",
        "args": [np.arange(1.0, 10.0).reshape(3, 3) / 7.0],
        "hidden": True,
    }
    yield {"name": "rank one", "args": [np.outer([1.0, -2.0, 3.0, 0.5], [2.0, 1.0, 0.0, -1.0, 4.0])], "hidden": True}
    yield {
        "name": "tiny entries (the tolerance is relative to the scale)",
        "args": [1e-12 * np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 0.0], [3.0, 6.0, 1.0]])],
        "hidden": True,
    }
    yield {"name": "zero matrix", "args": [np.zeros((2, 3))], "hidden": True}
    B = rng.normal(size=(6, 3))
    A = np.column_stack([B[:, 0], B[:, 1], B[:, 0] - 2 * B[:, 1], B[:, 2], B[:, 1] + B[:, 2]])
    yield {"name": "6 x 5, two dependent columns", "args": [A], "hidden": True}
    yield {"name": "wide 3 x 6", "args": [rng.normal(size=(3, 6))], "hidden": True}
    yield {"name": "a pivot needs a row swap", "args": [np.array([[0.0, 1.0], [1.0, 0.0]])], "hidden": True}
