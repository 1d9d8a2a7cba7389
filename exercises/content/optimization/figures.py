"""Figures of the optimization lesson (docs/content-format.md, "Figures")."""

import numpy as np

# An ill-conditioned quadratic valley, J(w) = ½ wᵀ H w with H = diag(0.5, 12) (condition number 24).
H = np.diag([0.5, 12.0])
START = np.array([-4.5, 1.6])


def _contours(ax, span=(-5.2, 1.5, -2.2, 2.2)):
    w1, w2 = np.meshgrid(np.linspace(span[0], span[1], 90), np.linspace(span[2], span[3], 90))
    loss = 0.5 * (H[0, 0] * w1**2 + H[1, 1] * w2**2)
    ax.contour(w1, w2, loss, levels=[0.1, 0.5, 1.5, 3, 6, 10, 16, 24], colors="0.7", linewidths=0.8)
    ax.plot(0, 0, "*", color="black", ms=9)
    ax.set_xlim(span[0], span[1])
    ax.set_ylim(span[2], span[3])
    ax.set_aspect("equal")


def _descent(alpha, steps):
    path = [START]
    for _ in range(steps):
        path.append(path[-1] - alpha * H @ path[-1])
    return np.array(path)


def _momentum(alpha, beta, steps):
    path, v = [START], np.zeros(2)
    for _ in range(steps):
        v = beta * v + H @ path[-1]
        path.append(path[-1] - alpha * v)
    return np.array(path)


def _adam(alpha, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    path, m, v = [START], np.zeros(2), np.zeros(2)
    for t in range(1, steps + 1):
        g = H @ path[-1]
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        step = alpha * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        path.append(path[-1] - step)
    return np.array(path)


def losses_compared(figure):
    figure.set_size_inches(7, 3.1)
    left, right = figure.subplots(1, 2)
    r = np.linspace(-3, 3, 241)
    left.plot(r, r**2, label="squared error r²")
    left.plot(r, np.abs(r), "--", label="absolute error |r|")
    left.set_xlabel("residual r = y − ŷ")
    left.set_ylim(0, 6)
    left.set_title("regression", fontsize=9)
    left.legend(fontsize=8, loc="upper center")
    margin = np.linspace(-3, 3, 241)
    right.plot(margin, np.maximum(0, 1 - margin), label="hinge max(0, 1 − ys)")
    right.plot(margin, np.logaddexp(0, -margin), "--", label="cross-entropy log(1 + e^(−ys))")
    right.plot(margin, (margin <= 0).astype(float), ":", color="0.4", label="0–1 loss: misclassified")
    right.axvline(1, color="0.8", lw=0.8)
    right.set_xlabel("margin ys (labels ±1)")
    right.set_ylim(0, 4)
    right.set_title("classification", fontsize=9)
    right.legend(fontsize=7.5, loc="upper right")


def learning_rates(figure):
    figure.set_size_inches(7.5, 2.7)
    axes = figure.subplots(1, 3)
    # Stable exactly when alpha < 2 / 12 ≈ 0.167, the limit set by the steep direction.
    for ax, alpha, title in zip(
        axes, (0.02, 0.14, 0.175), ("too small", "about right", "too large: diverges"), strict=True
    ):
        _contours(ax)
        path = _descent(alpha, 25 if alpha < 0.167 else 9)
        ax.plot(path[:, 0], path[:, 1], "o-", color="C3", ms=2.5, lw=1)
        ax.set_title(f"α = {alpha:g}: {title}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])


def optimisers_in_a_valley(figure):
    figure.set_size_inches(6.4, 3.3)
    ax = figure.subplots()
    _contours(ax)
    for path, style, label in (
        (_descent(0.15, 40), "o-", "gradient descent, α = 0.15"),
        (_momentum(0.05, 0.8, 40), "s-", "momentum, α = 0.05, β = 0.8"),
        (_adam(0.3, 40), "^-", "Adam, α = 0.3"),
    ):
        ax.plot(path[:, 0], path[:, 1], style, ms=2.5, lw=1, label=label)
    ax.set_xlabel("w₁ (gentle direction, curvature 0.5)")
    ax.set_ylabel("w₂ (steep, 12)")
    ax.set_title("40 steps of each, from the same start", fontsize=9)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def correlated_valley(figure):
    figure.set_size_inches(7, 3.2)
    axes = figure.subplots(1, 2)
    w1, w2 = np.meshgrid(np.linspace(-2, 2, 90), np.linspace(-2, 2, 90))
    for ax, rho in zip(axes, (0.0, 0.9), strict=True):
        loss = w1**2 + w2**2 + 2 * rho * w1 * w2  # δᵀ [[1, ρ], [ρ, 1]] δ around the minimum
        ax.contour(w1, w2, loss, levels=[0.05, 0.2, 0.5, 1, 2, 3.5], colors="C0", linewidths=0.9)
        ax.plot(0, 0, "*", color="black", ms=8)
        kappa = (1 + rho) / (1 - rho)
        ax.set_title(f"correlation ρ = {rho:g}: κ = {kappa:g}", fontsize=9)
        ax.set_aspect("equal")
        ax.set_xlabel("w₁ − w₁*")
    axes[0].set_ylabel("w₂ − w₂*")
    axes[1].plot([-1.9, 1.9], [1.9, -1.9], ":", color="C3")
    axes[1].text(-1.85, -1.85, "valley floor along (1, −1)", color="C3", fontsize=8)
