"""Figures of the activations lesson (docs/content-format.md, "Figures")."""

import numpy as np

Z = np.linspace(-6, 6, 241)


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def sigmoid_and_derivative(figure):
    figure.set_size_inches(6, 3.2)
    ax = figure.subplots()
    s = sigmoid(Z)
    ax.plot(Z, s, label="σ(z)")
    ax.plot(Z, s * (1 - s), "--", label="σ′(z) = σ(z)(1 − σ(z))")
    ax.axhline(0.25, color="0.6", lw=0.8, ls=":")
    ax.annotate(
        "largest slope ¼ at z = 0", xy=(0, 0.25), xytext=(1.2, 0.36), arrowprops={"arrowstyle": "->", "color": "0.3"}
    )
    ax.annotate(
        "saturated: slope ≈ 0", xy=(-5, 0.01), xytext=(-5.8, 0.45), arrowprops={"arrowstyle": "->", "color": "0.3"}
    )
    ax.set_xlabel("z")
    ax.set_ylim(-0.03, 1.05)
    ax.legend(loc="center right")


def tanh_against_sigmoid(figure):
    figure.set_size_inches(6, 3.2)
    ax = figure.subplots()
    t = np.tanh(Z)
    s = sigmoid(Z)
    ax.plot(Z, t, label="tanh(z)")
    ax.plot(Z, 1 - t**2, "--", label="tanh′(z) = 1 − tanh²(z)")
    ax.plot(Z, s * (1 - s), ":", color="0.4", label="σ′(z), for comparison")
    ax.axhline(0, color="0.7", lw=0.8)
    ax.set_xlabel("z")
    ax.legend(loc="lower right")


def relu_and_leaky_relu(figure):
    figure.set_size_inches(7, 3)
    left, right = figure.subplots(1, 2, sharey=True)
    left.plot(Z, np.maximum(Z, 0), label="ReLU(z)")
    left.plot(Z[Z < 0], np.zeros((Z < 0).sum()), "--", color="C1", label="derivative: 0 or 1")
    left.plot(Z[Z > 0], np.ones((Z > 0).sum()), "--", color="C1")
    left.plot([0], [0], "o", mfc="white", color="C1")
    left.set_title("ReLU")
    alpha = 0.1
    right.plot(Z, np.where(Z > 0, Z, alpha * Z), label="LeakyReLU(z), α = 0.1")
    right.plot(Z[Z <= 0], np.full((Z <= 0).sum(), alpha), "--", color="C1", label="derivative: α or 1")
    right.plot(Z[Z > 0], np.ones((Z > 0).sum()), "--", color="C1")
    right.set_title("Leaky ReLU")
    for ax in (left, right):
        ax.axhline(0, color="0.7", lw=0.8)
        ax.set_xlabel("z")
        ax.set_ylim(-1, 4)
        ax.legend(loc="upper left")


def softmax_shares(figure):
    figure.set_size_inches(6, 3.2)
    ax = figure.subplots()
    z1 = np.linspace(-4, 6, 201)
    logits = np.stack([z1, np.full_like(z1, 1.0), np.zeros_like(z1)], axis=1)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    for i, style in enumerate(["-", "-", "-"]):
        ax.plot(
            z1, p[:, i], style, label=["p₁ (its logit z₁ varies)", "p₂ (logit fixed at 1)", "p₃ (logit fixed at 0)"][i]
        )
    ax.plot(z1, p[:, 0] * (1 - p[:, 0]), "--", color="C0", alpha=0.7, label="∂p₁/∂z₁ = p₁(1 − p₁)")
    ax.set_xlabel("z₁")
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1)
    ax.legend(loc="center left", fontsize=8)
