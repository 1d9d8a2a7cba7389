"""Figures of the regularization lesson (docs/content-format.md, "Figures")."""

import numpy as np


def _polynomial_fit(x, y, degree, lam):
    X = np.vander(x, degree + 1, increasing=True)
    penalty = lam * np.eye(degree + 1)
    penalty[0, 0] = 0.0  # the intercept is not penalised
    return np.linalg.solve(X.T @ X + penalty, X.T @ y)


def overfitting_and_ridge(figure):
    figure.set_size_inches(6, 3.2)
    ax = figure.subplots()
    rng = np.random.default_rng(4)
    x = np.sort(rng.uniform(-1, 1, 12))
    y = np.sin(2.5 * x) + 0.25 * rng.normal(size=x.size)
    grid = np.linspace(-1, 1, 200)
    G = np.vander(grid, 10, increasing=True)
    ax.plot(grid, np.sin(2.5 * grid), ":", color="0.4", label="the true curve sin(2.5x)")
    ax.plot(grid, G @ _polynomial_fit(x, y, 9, 0.0), label="degree 9, λ = 0 (fits the noise)")
    ax.plot(grid, G @ _polynomial_fit(x, y, 9, 1e-3), "--", label="degree 9, λ = 0.001 (ridge)")
    ax.plot(x, y, "o", color="black", ms=4, label="12 training points")
    ax.set_ylim(-2.2, 2.2)
    ax.set_xlabel("x")
    ax.legend(loc="lower right", fontsize=8)


def shrink_or_threshold(figure):
    figure.set_size_inches(4.6, 4.2)
    ax = figure.subplots()
    a = np.linspace(-3, 3, 241)
    ax.plot(a, a, ":", color="0.5", label="no penalty: w* = a")
    ax.plot(a, a / 1.5, label="L2, λ = 0.5: w* = a / (1 + λ)")
    ax.plot(a, np.sign(a) * np.maximum(np.abs(a) - 1, 0), "--", label="L1, λ = 2: soft threshold, t = 1")
    ax.axvspan(-1, 1, color="C1", alpha=0.08)
    ax.text(0, -2.2, "|a| ≤ t: exactly 0", ha="center", color="C1")
    ax.set_xlabel("a, the unregularised optimum")
    ax.set_ylabel("w*, the regularised optimum")
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=8)


def _ellipse_contours(ax, center, A, levels, **kwargs):
    w1, w2 = np.meshgrid(np.linspace(-1.6, 2.6, 90), np.linspace(-1.6, 2.6, 90))
    d = np.stack([w1 - center[0], w2 - center[1]], axis=-1)
    loss = np.einsum("...i,ij,...j->...", d, A, d)
    ax.contour(w1, w2, loss, levels=levels, colors="0.55", linewidths=0.8, **kwargs)
    return loss


def l1_diamond_l2_ball(figure):
    figure.set_size_inches(7, 3.5)
    left, right = figure.subplots(1, 2)
    center = np.array([2.0, 0.5])
    A = np.array([[1.0, 0.3], [0.3, 1.4]])
    # The constrained minimum on each ball: the lowest loss on a fine sample of its boundary.
    t = np.linspace(0, 2 * np.pi, 4000, endpoint=False)
    for ax, name, boundary in (
        (left, "L2 ball ‖w‖₂ ≤ 1", np.stack([np.cos(t), np.sin(t)], axis=1)),
        (
            right,
            "L1 diamond ‖w‖₁ ≤ 1",
            np.stack([np.cos(t), np.sin(t)], axis=1) / (np.abs(np.cos(t)) + np.abs(np.sin(t)))[:, None],
        ),
    ):
        d = boundary - center
        loss = np.einsum("ni,ij,nj->n", d, A, d)
        best = boundary[np.argmin(loss)]
        dbest = best - center
        _ellipse_contours(ax, center, A, levels=sorted({0.15, 0.5, 1.0, float(dbest @ A @ dbest), 2.2, 3.4}))
        outline = np.vstack([boundary[::40], boundary[:1]])
        ax.fill(outline[:, 0], outline[:, 1], color="C0", alpha=0.15)
        ax.plot(outline[:, 0], outline[:, 1], color="C0")
        ax.plot(*center, "+", color="black", ms=9)
        ax.annotate(
            "unregularised optimum",
            center,
            xytext=(0.2, 2.25),
            fontsize=8,
            arrowprops={"arrowstyle": "->", "color": "0.3"},
        )
        ax.plot(*best, "o", color="C3")
        ax.annotate(
            f"touches at ({best[0]:.2f}, {best[1]:.2f})",
            best,
            xytext=(-1.5, -1.45),
            fontsize=8,
            color="C3",
            arrowprops={"arrowstyle": "->", "color": "C3"},
        )
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.set_aspect("equal")
        ax.set_title(name)
        ax.set_xlabel("w₁")
    left.set_ylabel("w₂")
