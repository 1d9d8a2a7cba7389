"""Figures of the information theory lesson (docs/content-format.md, "Figures")."""

import numpy as np


def surprise_and_binary_entropy(figure):
    figure.set_size_inches(7, 3)
    left, right = figure.subplots(1, 2)
    p = np.linspace(0.005, 1, 400)
    left.plot(p, -np.log2(p))
    for value, name, bits, where in (
        (1 / 8, "1/8", "3 bits", (0.2, 3.6)),
        (1 / 2, "1/2", "1 bit", (0.55, 1.8)),
        (1, "1", "0 bits", (0.7, 1.0)),
    ):
        left.plot(value, -np.log2(value), "o", color="C1")
        left.annotate(
            f"p = {name}: {bits}",
            (value, -np.log2(value)),
            xytext=where,
            fontsize=8,
            arrowprops={"arrowstyle": "-", "color": "0.6"},
        )
    left.set_xlabel("probability p of the outcome")
    left.set_title("surprise −log₂ p (bits)")
    left.set_ylim(0, 7.5)
    q = np.linspace(1e-6, 1 - 1e-6, 400)
    right.plot(q, -(q * np.log2(q) + (1 - q) * np.log2(1 - q)))
    right.plot(0.5, 1, "o", color="C1")
    right.annotate(
        "fair coin: 1 bit", (0.5, 1), xytext=(0.3, 0.6), fontsize=8, arrowprops={"arrowstyle": "->", "color": "0.3"}
    )
    right.plot(0.9, 0.469, "o", color="C1")
    right.annotate(
        "p = 0.9: 0.47 bits",
        (0.9, 0.469),
        xytext=(0.55, 0.25),
        fontsize=8,
        arrowprops={"arrowstyle": "->", "color": "0.3"},
    )
    right.set_xlabel("p = P(heads)")
    right.set_title("binary entropy H(p) (bits)")
    right.set_ylim(0, 1.1)


def _normal(x, mean, sd):
    return np.exp(-0.5 * ((x - mean) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))


def _kl_normal(m1, s1, m2, s2):
    """KL(N(m1, s1²) ‖ N(m2, s2²)) in nats, the closed form."""
    return np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


def kl_between_gaussians(figure):
    figure.set_size_inches(7, 3.2)
    left, right = figure.subplots(1, 2, sharex=True)
    x = np.linspace(-4, 6, 401)
    p, q = _normal(x, 0, 1), _normal(x, 1.5, 1.6)
    left.plot(x, p, label="P = N(0, 1)")
    left.plot(x, q, "--", label="Q = N(1.5, 1.6²)")
    left.set_title("two densities")
    left.legend(fontsize=8)
    pq = p * np.log(p / q)
    qp = q * np.log(q / p)
    right.plot(x, pq, label=f"p log(p/q): KL(P‖Q) = {_kl_normal(0, 1, 1.5, 1.6):.2f} nats")
    right.plot(x, qp, "--", label=f"q log(q/p): KL(Q‖P) = {_kl_normal(1.5, 1.6, 0, 1):.2f} nats")
    right.fill_between(x, pq, alpha=0.15, color="C0")
    right.axhline(0, color="0.7", lw=0.8)
    right.set_ylim(-0.35, 0.85)
    right.set_title("what each divergence integrates")
    right.legend(fontsize=7.5, loc="upper right")
    for ax in (left, right):
        ax.set_xlabel("x")


def mutual_information_tables(figure):
    figure.set_size_inches(7, 3)
    axes = figure.subplots(1, 2)
    independent = np.outer([0.6, 0.4], [0.5, 0.3, 0.2])
    dependent = np.array([[0.45, 0.1, 0.05], [0.05, 0.2, 0.15]])
    for ax, table, name in ((axes[0], independent, "X and Y independent"), (axes[1], dependent, "X and Y dependent")):
        px, py = table.sum(axis=1), table.sum(axis=0)
        mi = np.sum(table * np.log2(table / np.outer(px, py)))
        ax.imshow(table, cmap="Blues", vmin=0, vmax=0.5)
        for (i, j), value in np.ndenumerate(table):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="white" if value > 0.3 else "black")
        ax.set_xticks(range(3), ["y₁", "y₂", "y₃"])
        ax.set_yticks(range(2), ["x₁", "x₂"])
        ax.set_title(f"{name}: I(X; Y) = {mi:.2f} bits", fontsize=9)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
