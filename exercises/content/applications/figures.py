"""Figures of the applications lesson (docs/content-format.md, "Figures"). The data sets are
the ones scikit-learn bundles (no download)."""

import numpy as np


def wine_before_and_after_scaling(figure):
    from sklearn.datasets import load_wine

    data = load_wine()
    X = data.data[:, [list(data.feature_names).index("proline"), list(data.feature_names).index("hue")]]
    figure.set_size_inches(7, 3.3)
    left, right = figure.subplots(1, 2)
    for label, marker in zip(range(3), "os^", strict=True):
        rows = data.target == label
        left.plot(X[rows, 0], X[rows, 1], marker, ms=3.5, alpha=0.8, label=f"class {label}")
        Z = (X - X.mean(axis=0)) / X.std(axis=0)
        right.plot(Z[rows, 0], Z[rows, 1], marker, ms=3.5, alpha=0.8)
    left.set_aspect("equal")
    left.set_ylim(-700, 700)
    left.set_title("raw units, drawn to scale", fontsize=9)
    left.set_xlabel("proline")
    left.set_ylabel("hue")
    left.legend(fontsize=8, loc="upper left")
    right.set_aspect("equal")
    right.set_title("standardised: z = (x − μ) / σ", fontsize=9)
    right.set_xlabel("proline (z)")
    right.set_ylabel("hue (z)")


def explained_variance(figure):
    from sklearn.datasets import load_iris, load_wine

    def shares(X):
        values = np.linalg.eigvalsh(np.cov(X, rowvar=False))[::-1]
        return np.cumsum(values) / values.sum()

    wine = load_wine().data
    curves = [
        ("iris", shares(load_iris().data), "o-"),
        ("wine, raw", shares(wine), "s--"),
        ("wine, standardised", shares((wine - wine.mean(axis=0)) / wine.std(axis=0)), "^-"),
    ]
    figure.set_size_inches(6, 3.3)
    ax = figure.subplots()
    for name, r, style in curves:
        ax.plot(np.arange(1, len(r) + 1), r, style, ms=4, label=name)
    ax.axhline(0.95, color="0.5", ls=":", lw=1)
    ax.text(13, 0.93, "0.95 threshold", ha="right", va="top", fontsize=8, color="0.3")
    ax.set_xlabel("number of components k")
    ax.set_ylabel("share of variance rₖ")
    ax.set_xticks(range(1, 14))
    ax.set_ylim(0.3, 1.02)
    ax.legend(loc="lower right", fontsize=8)


def training_loss(figure):
    from sklearn.datasets import load_iris

    iris = load_iris()
    X = (iris.data - iris.data.mean(axis=0)) / iris.data.std(axis=0)
    Y = np.eye(3)[iris.target]
    rng = np.random.default_rng(0)
    n, h = len(X), 8
    W1, b1 = rng.normal(scale=0.5, size=(4, h)), np.zeros(h)
    W2, b2 = rng.normal(scale=0.5, size=(h, 3)), np.zeros(3)
    losses, accuracy = [], []
    for _ in range(100):
        H = np.tanh(X @ W1 + b1)
        S = H @ W2 + b2
        S = S - S.max(axis=1, keepdims=True)
        log_p = S - np.log(np.exp(S).sum(axis=1, keepdims=True))
        losses.append(-(Y * log_p).sum() / n)
        accuracy.append(np.mean(log_p.argmax(axis=1) == iris.target))
        dS = (np.exp(log_p) - Y) / n
        dA = (dS @ W2.T) * (1 - H**2)
        W2, b2 = W2 - 0.5 * H.T @ dS, b2 - 0.5 * dS.sum(axis=0)
        W1, b1 = W1 - 0.5 * X.T @ dA, b1 - 0.5 * dA.sum(axis=0)
    figure.set_size_inches(6, 3.2)
    ax = figure.subplots()
    ax.plot(range(1, 101), losses, label="mean cross-entropy")
    ax.axhline(np.log(3), color="0.5", ls=":", lw=1)
    ax.text(100, np.log(3) + 0.03, "ln 3: a uniform guess", ha="right", fontsize=8, color="0.3")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_ylim(0, 1.35)
    twin = ax.twinx()
    twin.plot(range(1, 101), accuracy, "--", color="C1", label="training accuracy")
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("accuracy")
    twin.spines["right"].set_visible(True)
    lines = ax.get_lines()[:1] + twin.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="center right", fontsize=8)
