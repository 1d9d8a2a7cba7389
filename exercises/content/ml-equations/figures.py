"""Figures of the common ML equations lesson (docs/content-format.md, "Figures")."""

import numpy as np


def logistic_costs(figure):
    figure.set_size_inches(6, 3.2)
    ax = figure.subplots()
    z = np.linspace(-6, 6, 241)
    p = 0.5 * (1 + np.tanh(0.5 * z))
    ax.plot(z, np.logaddexp(0, -z), label="cross-entropy −log σ(z)")
    ax.plot(z, (1 - p) ** 2, "--", label="squared error (1 − σ(z))²")
    ax.annotate(
        "flat: a confident wrong answer\nbarely moves the weights",
        (-5, 0.99),
        xytext=(-5.5, 3.2),
        fontsize=8,
        arrowprops={"arrowstyle": "->", "color": "0.3"},
    )
    ax.set_xlabel("score z = wᵀx + b of an example with label y = 1")
    ax.set_ylabel("cost of the example")
    ax.set_ylim(0, 6)
    ax.legend(fontsize=8)


def svm_margin(figure):
    figure.set_size_inches(6, 4.2)
    ax = figure.subplots()
    rng = np.random.default_rng(3)
    positive = rng.normal(size=(14, 2)) * 0.55 + [2.0, 2.2]
    negative = rng.normal(size=(14, 2)) * 0.55 + [-0.2, 0.0]
    X = np.vstack([positive, negative])
    y = np.r_[np.ones(14), -np.ones(14)]
    from sklearn.svm import SVC

    machine = SVC(kernel="linear", C=1e4).fit(X, y)  # C this large: the hard margin of separable data
    w, b = machine.coef_[0], machine.intercept_[0]
    support = machine.support_
    grid = np.linspace(-2, 6.5, 2)
    for offset, style, label in ((0, "-", "wᵀx + b = 0"), (1, "--", "wᵀx + b = ±1"), (-1, "--", None)):
        ax.plot(grid, (offset - b - w[0] * grid) / w[1], style, color="0.3", lw=1.2 if offset else 1.8, label=label)
    ax.plot(*positive.T, "o", color="C0", label="y = +1")
    ax.plot(*negative.T, "s", color="C1", label="y = −1")
    ax.plot(*X[support].T, "o", ms=11, mfc="none", color="C3", label="support vectors")
    middle = X[support[0]]
    foot = middle - (middle @ w + b) / (w @ w) * w
    ax.annotate("", xy=foot, xytext=foot + w / (w @ w), arrowprops={"arrowstyle": "<->", "color": "C3"})
    ax.text(*(foot + 0.5 * w / (w @ w) + [0.1, -0.1]), "1/‖w‖", color="C3")
    ax.set_xlim(-2, 6.5)
    ax.set_ylim(-1.8, 4.5)
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="upper right")


def iris_on_two_components(figure):
    from sklearn.datasets import load_iris

    iris = load_iris()
    Xc = iris.data - iris.data.mean(axis=0)
    values, vectors = np.linalg.eigh(Xc.T @ Xc / len(Xc))
    order = np.argsort(values)[::-1]
    values, P = values[order], vectors[:, order[:2]]
    P *= np.sign(P[np.abs(P).argmax(axis=0), range(2)])  # a fixed sign for each component
    Y = Xc @ P
    figure.set_size_inches(6, 2.9)
    ax = figure.subplots()
    for label, marker in zip(range(3), "os^", strict=True):
        rows = iris.target == label
        ax.plot(Y[rows, 0], Y[rows, 1], marker, ms=4, alpha=0.8, label=iris.target_names[label])
    share = values / values.sum()
    ax.set_xlabel(f"first principal component ({share[0]:.1%} of the variance)")
    ax.set_ylabel(f"second ({share[1]:.1%})")
    ax.set_aspect("equal")
    ax.legend(fontsize=8)
