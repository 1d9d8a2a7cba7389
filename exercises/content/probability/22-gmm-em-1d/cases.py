import numpy as np


def cases(rng):
    yield {
        "name": "four points, one round (lesson example)",
        "args": [np.array([0.0, 1.0, 9.0, 10.0]), np.array([0.5, 0.5]), np.array([0.0, 10.0]), np.array([1.0, 1.0]), 1],
    }
    x = np.concatenate([rng.normal(-2.0, 1.0, size=40), rng.normal(3.0, 0.7, size=60)])
    yield {
        "name": "two clusters, ten rounds",
        "args": [x, np.array([0.5, 0.5]), np.array([-1.0, 1.0]), np.array([2.0, 2.0]), 10],
    }
    yield {
        "name": "zero rounds returns the start",
        "args": [x, np.array([0.3, 0.7]), np.array([0.0, 2.0]), np.array([1.0, 4.0]), 0],
        "hidden": True,
    }
    y = np.concatenate([rng.normal(0.0, 0.5, size=50), rng.normal(4.0, 1.0, size=50), rng.normal(10.0, 1.5, size=40)])
    yield {
        "name": "three clusters, thirty rounds",
        "args": [y, np.array([0.2, 0.3, 0.5]), np.array([1.0, 3.0, 8.0]), np.array([1.0, 1.0, 1.0]), 30],
        "hidden": True,
    }
    z = np.concatenate([rng.normal(0.0, 1.0, size=30), rng.normal(5.0, 1.0, size=30), [60.0, -45.0]])
    yield {
        "name": "outliers far from every component",
        "args": [z, np.array([0.5, 0.5]), np.array([0.0, 5.0]), np.array([1.0, 1.0]), 3],
        "hidden": True,
    }
    yield {
        "name": "a single component (the Gaussian MLE)",
        "args": [rng.normal(7.0, 2.0, size=25), np.array([1.0]), np.array([0.0]), np.array([1.0]), 1],
        "hidden": True,
    }
