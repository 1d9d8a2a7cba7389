import numpy as np
from _shared.datasets import load


def cases(rng):
    X = np.array([[1.0, 0.0, 5.0], [2.0, 1.0, 5.0], [3.0, 0.0, 5.0], [4.0, 1.0, 5.0]])
    yield {"name": "small table with a constant column", "args": [X, np.array([1.0, 2.5, 2.9, 4.2]), 2]}
    X_d, y_d = load("diabetes")
    yield {"name": "diabetes, k = 3", "args": [X_d, y_d, 3]}
    yield {"name": "diabetes, k = 1", "args": [X_d, y_d, 1], "hidden": True}
    yield {"name": "diabetes, keep all", "args": [X_d, y_d, 10], "hidden": True}
    noise = rng.normal(size=(60, 5))
    target = 3.0 * noise[:, 3] - 2.0 * noise[:, 0] + 0.1 * rng.normal(size=60)
    yield {"name": "negative correlation counts too", "args": [noise, target, 2], "hidden": True}
    rescaled = noise.copy()
    rescaled[:, 1] *= 1000.0
    yield {"name": "an irrelevant column in large units", "args": [rescaled, target, 2], "hidden": True}
    strong = rng.normal(size=50)
    twins = np.column_stack([rng.normal(size=50), strong, -strong, rng.normal(size=50)])
    yield {
        "name": "a tie between a column and its negation",
        "args": [twins, strong + 0.3 * rng.normal(size=50), 1],
        "hidden": True,
    }
    # Four columns, so that BLAS computes every column's dot product the same way: with a
    # fifth column in its remainder loop, identical columns can differ in the last bit.
    tied = noise[:, :4].copy()
    tied[:, 2] = tied[:, 3]
    yield {"name": "two identical columns tie", "args": [tied, target, 1], "hidden": True}
