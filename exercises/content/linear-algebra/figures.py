"""Figures of the linear algebra lesson (docs/content-format.md, "Figures")."""

import numpy as np


def _arrow(ax, tip, color, label=None, start=(0, 0), **kwargs):
    ax.annotate(
        "",
        xy=tip,
        xytext=start,
        arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.8, "shrinkA": 0, "shrinkB": 0, **kwargs},
    )
    if label:
        ax.annotate(label, tip, xytext=(6, 4), textcoords="offset points", color=color)


def _plane(ax, xlim, ylim):
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")


def determinant_as_area(figure):
    figure.set_size_inches(6, 3)
    A = np.array([[2.0, 1.0], [1.0, 2.0]])
    square = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float).T
    left, right = figure.subplots(1, 2)
    for ax, M, title in ((left, np.eye(2), "the unit square: area 1"), (right, A, "its image under A: area det A = 3")):
        shape = M @ square
        ax.fill(shape[0], shape[1], color="C0", alpha=0.2)
        ax.plot(shape[0], shape[1], color="C0", lw=1)
        _arrow(ax, M[:, 0], "C3", "e₁" if M is not A else "Ae₁ = (2, 1)")
        _arrow(ax, M[:, 1], "C1", "e₂" if M is not A else "Ae₂ = (1, 2)")
        _plane(ax, (-0.5, 3.8), (-0.5, 3.4))
        ax.set_title(title, fontsize=9)


def projection_onto_a_line(figure):
    figure.set_size_inches(5, 3.4)
    ax = figure.subplots()
    a, b = np.array([3.0, 1.0]), np.array([1.5, 2.5])
    p = (a @ b) / (a @ a) * a
    ax.plot([-0.6 * 3, 1.45 * 3], [-0.6, 1.45], color="0.75", lw=1, zorder=0)
    _arrow(ax, a, "C0", "a")
    _arrow(ax, b, "C1", "b")
    _arrow(ax, p, "C3")
    ax.annotate("p = (aᵀb / aᵀa) a", p, xytext=(-20, -22), textcoords="offset points", color="C3")
    ax.plot([b[0], p[0]], [b[1], p[1]], "--", color="0.3")
    ax.text(*(0.5 * (b + p) + [0.1, 0.05]), "b − p, orthogonal to a", fontsize=8, color="0.3")
    u = a / np.linalg.norm(a)
    n = np.array([-u[1], u[0]])
    corner = np.array([p + 0.18 * n, p + 0.18 * (n + u), p + 0.18 * u])
    ax.plot(corner[:, 0], corner[:, 1], color="0.3", lw=0.8)
    theta = np.linspace(np.arctan2(a[1], a[0]), np.arctan2(b[1], b[0]), 30)
    ax.plot(0.6 * np.cos(theta), 0.6 * np.sin(theta), color="0.4", lw=0.8)
    ax.text(0.62, 0.45, "θ", color="0.3")
    _plane(ax, (-0.5, 4.2), (-0.5, 3.0))


def least_squares_line(figure):
    figure.set_size_inches(5, 3.2)
    ax = figure.subplots()
    t, y = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 4.0])
    w0, w1 = 7 / 6, 3 / 2
    grid = np.array([-0.3, 2.3])
    ax.plot(grid, w0 + w1 * grid, label="fit y = 7/6 + (3/2) t")
    fitted = w0 + w1 * t
    for ti, yi, fi in zip(t, y, fitted, strict=True):
        ax.plot([ti, ti], [yi, fi], color="C3", lw=1.5)
        ax.annotate(
            f"{yi - fi:+.3f}",
            (ti, (yi + fi) / 2),
            xytext=(6, 0),
            textcoords="offset points",
            color="C3",
            fontsize=8,
            va="center",
        )
    ax.plot(t, y, "o", color="black", label="data (0, 1), (1, 3), (2, 4)")
    ax.plot([], [], color="C3", label="residuals: they sum to 0")
    ax.set_xlabel("t")
    ax.set_ylabel("y")
    ax.legend(fontsize=8, loc="upper left")


def eigenvectors_as_ellipse_axes(figure):
    figure.set_size_inches(6, 3.3)
    A = np.array([[2.0, 1.0], [1.0, 2.0]])
    t = np.linspace(0, 2 * np.pi, 181)
    circle = np.stack([np.cos(t), np.sin(t)])
    v1, v2 = np.array([1, 1]) / np.sqrt(2), np.array([1, -1]) / np.sqrt(2)
    left, right = figure.subplots(1, 2)
    left.plot(*circle, color="C0")
    _arrow(left, v1, "C3", "v₁")
    _arrow(left, v2, "C1", "v₂")
    _arrow(left, (1, 0), "0.45", "x")
    left.set_title("unit vectors", fontsize=9)
    ellipse = A @ circle
    right.plot(*ellipse, color="C0")
    _arrow(right, 3 * v1, "C3", "Av₁ = 3v₁")
    _arrow(right, 1 * v2, "C1", "Av₂ = v₂")
    _arrow(right, A @ [1, 0], "0.45", "Ax = (2, 1)")
    right.set_title("their images under A: an ellipse", fontsize=9)
    for ax in (left, right):
        _plane(ax, (-3.2, 3.2), (-2.6, 2.8))
