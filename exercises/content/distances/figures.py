"""Figures of the distances lesson (docs/content-format.md, "Figures")."""

import numpy as np


def taxicab_and_straight_line(figure):
    figure.set_size_inches(5, 3.6)
    ax = figure.subplots()
    x, y = np.array([1, 2]), np.array([4, 0])
    ax.set_xticks(range(0, 6))
    ax.set_yticks(range(-1, 4))
    ax.grid(color="0.88")
    for path, style in (([1, 4, 4], "C1-"), ([1, 1, 4], "C1--")):
        ax.plot(path, [2, 2, 0] if path[1] == 4 else [2, 0, 0], style, lw=2)
    ax.plot(
        [1, 2, 2, 3, 3, 4],
        [2, 2, 1, 1, 0, 0],
        ":",
        color="C1",
        lw=2,
        label="axis-aligned paths: all of length 3 + 2 = 5",
    )
    ax.plot([x[0], y[0]], [x[1], y[1]], color="C0", lw=2, label="straight line: √(3² + 2²) ≈ 3.61")
    ax.plot(*x, "o", color="black")
    ax.plot(*y, "o", color="black")
    ax.annotate("x = (1, 2)", x, xytext=(0.3, 2.5))
    ax.annotate("y = (4, 0)", y, xytext=(3.6, -0.6))
    ax.set_xlim(-0.2, 5.2)
    ax.set_ylim(-1, 3.4)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8)


def unit_balls(figure):
    figure.set_size_inches(4.6, 4.2)
    ax = figure.subplots()
    t = np.linspace(0, 2 * np.pi, 721)
    c, s = np.cos(t), np.sin(t)
    for p, style, label in (
        (1, "-", "p = 1 (diamond)"),
        (2, "-", "p = 2 (circle)"),
        (4, "-", "p = 4"),
        (np.inf, "-", "p = ∞ (square)"),
    ):
        norm = np.max(np.abs([c, s]), axis=0) if np.isinf(p) else (np.abs(c) ** p + np.abs(s) ** p) ** (1 / p)
        ax.plot(c / norm, s / norm, style, label=label)
    norm = (np.abs(c) ** 0.5 + np.abs(s) ** 0.5) ** 2
    ax.plot(c / norm, s / norm, ":", color="0.45", label="p = 0.5: not convex, not a metric")
    ax.axhline(0, color="0.8", lw=0.8)
    ax.axvline(0, color="0.8", lw=0.8)
    ax.set_aspect("equal")
    ax.set_xlim(-1.25, 1.25)
    ax.set_ylim(-1.25, 1.85)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.legend(loc="upper center", ncols=2, fontsize=8)


def cosine_ignores_length(figure):
    figure.set_size_inches(5, 3.6)
    ax = figure.subplots()
    a, b = np.array([1.0, 0.5]), np.array([3.0, 1.5])
    q = np.array([0.6, 1.2])
    for v, color, name in ((a, "C0", "document a"), (b, "C0", "document b = 3a"), (q, "C1", "query q")):
        ax.annotate("", xy=v, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": color, "lw": 2})
        ax.annotate(name, v, xytext=(v[0] + 0.08, v[1] + 0.05), color=color)
    cos = a @ q / np.linalg.norm(a) / np.linalg.norm(q)
    theta = np.linspace(np.arctan2(a[1], a[0]), np.arctan2(q[1], q[0]), 40)
    ax.plot(0.45 * np.cos(theta), 0.45 * np.sin(theta), color="0.3")
    ax.text(0.5, 0.42, "θ", color="0.3")
    ax.text(
        1.2,
        1.75,
        f"cos θ = {cos:.2f} for both a and b\n‖a − q‖ = {np.linalg.norm(a - q):.2f},  ‖b − q‖ = {np.linalg.norm(b - q):.2f}",
        fontsize=9,
    )
    ax.set_xlim(-0.1, 3.6)
    ax.set_ylim(-0.1, 2.2)
    ax.set_aspect("equal")
