import numpy as np
from _shared.datasets import load


def cases(rng):
    yield {"name": "two rows, two features", "args": [np.array([[2.0, 3.0], [-1.0, 0.5]])]}
    D = load("diabetes")[0]
    yield {"name": "diabetes: age, sex, bmi (5 rows)", "args": [D[:5, :3]]}
    yield {"name": "one feature", "args": [np.array([[1.0], [2.0], [-3.0]])], "hidden": True}
    yield {"name": "no rows", "args": [np.zeros((0, 4))], "hidden": True}
    yield {"name": "diabetes: all 10 columns", "args": [D[:40]], "hidden": True}
