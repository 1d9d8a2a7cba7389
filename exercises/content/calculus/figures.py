"""Figures of the calculus lesson (docs/content-format.md, "Figures")."""

import itertools

import numpy as np


def secant_to_tangent(figure):
    figure.set_size_inches(6, 3.4)
    ax = figure.subplots()

    def f(x):
        return 0.5 * x**2 + 0.5

    x0 = 1.0
    grid = np.linspace(-0.3, 3.2, 200)
    ax.plot(grid, f(grid), color="black", lw=2, label="f(x) = x²/2 + 1/2")
    for h, color in ((2.0, "C0"), (1.0, "C1"), (0.4, "C2")):
        slope = (f(x0 + h) - f(x0)) / h
        ax.plot(grid, f(x0) + slope * (grid - x0), color=color, lw=1.2, label=f"secant, h = {h:g}: slope {slope:.2f}")
        ax.plot(x0 + h, f(x0 + h), "o", color=color, ms=5)
    ax.plot(grid, f(x0) + 1.0 * (grid - x0), "--", color="C3", lw=1.6, label="tangent: slope f′(1) = 1")
    ax.plot(x0, f(x0), "o", color="black", ms=6)
    ax.set_xlim(-0.3, 3.2)
    ax.set_ylim(-0.5, 5.5)
    ax.set_xlabel("x")
    ax.legend(fontsize=8, loc="upper left")


def gradient_on_contours(figure):
    figure.set_size_inches(6.4, 4)
    ax = figure.subplots()
    A = np.array([[2.0, 0.8], [0.8, 1.0]])
    b = np.array([1.0, 0.5])
    x, y = np.meshgrid(np.linspace(-2, 2.5, 120), np.linspace(-2, 2.5, 120))
    points = np.stack([x, y], axis=-1)
    f = 0.5 * np.einsum("...i,ij,...j->...", points, A, points) - points @ b
    contours = ax.contour(
        x, y, f, levels=[-0.3, 0, 0.5, 1.5, 3, 5, 7.5], colors="0.55", linewidths=0.8, linestyles="solid"
    )
    ax.clabel(contours, fontsize=7, fmt="%g")
    qx, qy = np.meshgrid(np.linspace(-1.5, 2, 7), np.linspace(-1.5, 2, 7))
    q = np.stack([qx.ravel(), qy.ravel()], axis=1)
    g = q @ A - b  # A is symmetric: the gradient Ax − b, one row per point
    ax.quiver(q[:, 0], q[:, 1], g[:, 0], g[:, 1], color="C3", angles="xy", scale_units="xy", scale=6, width=0.005)
    minimum = np.linalg.solve(A, b)
    ax.plot(*minimum, "*", color="C0", ms=11, label="minimum A⁻¹b: gradient 0")
    ax.plot([], [], color="C3", label="∇f = Ax − b (shortened)")
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def descent_on_a_parabola(figure):
    figure.set_size_inches(7.5, 2.8)
    axes = figure.subplots(1, 3, sharey=True)
    theta = np.linspace(-1, 7, 200)
    for ax, alpha, note in zip(
        axes, (0.25, 0.9, 1.0), ("distance halves", "overshoots, still converges", "bounces for ever"), strict=True
    ):
        ax.plot(theta, (theta - 3) ** 2 + 1, color="0.3")
        path = [0.0]
        for _ in range(6):
            path.append(path[-1] - alpha * 2 * (path[-1] - 3))
        path = np.array(path)
        values = (path - 3) ** 2 + 1
        ax.plot(path, values, "o-", color="C3", ms=4, lw=1)
        ax.annotate("θ₀", (path[0], values[0]), xytext=(4, -2), textcoords="offset points", fontsize=8)
        ax.set_title(f"α = {alpha:g}: {note}", fontsize=9)
        ax.set_xlabel("θ")
    axes[0].set_ylabel("J(θ) = (θ − 3)² + 1")


def trapezoids(figure):
    figure.set_size_inches(6, 3.2)
    ax = figure.subplots()

    def f(x):
        return np.exp(-0.5 * x**2) + 0.2

    grid = np.linspace(-0.5, 3.2, 200)
    ax.plot(grid, f(grid), color="black", lw=1.8, label="f(x) = e^(−x²/2) + 0.2")
    nodes = np.linspace(0, 3, 4)
    for left, right in itertools.pairwise(nodes):
        ax.fill([left, left, right, right], [0, f(left), f(right), 0], color="C0", alpha=0.25, ec="C0")
    estimate = np.trapezoid(f(nodes), nodes)
    fine = np.linspace(0, 3, 20001)
    exact = np.trapezoid(f(fine), fine)
    ax.plot(nodes, f(nodes), "o", color="C0", ms=4)
    ax.text(1.6, 0.85, f"3 trapezoids: {estimate:.4f}\nthe integral: {exact:.4f}", fontsize=9)
    ax.set_xlabel("x")
    ax.set_ylim(0, 1.35)
    ax.legend(fontsize=8, loc="upper right")
