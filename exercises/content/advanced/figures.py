"""Figures of the advanced topics lesson (docs/content-format.md, "Figures")."""

from math import factorial

import numpy as np


def taylor_polynomials(figure):
    figure.set_size_inches(7, 3.2)
    left, right = figure.subplots(1, 2)
    x = np.linspace(-2.5, 2.5, 201)
    left.plot(x, np.exp(x), color="black", lw=2.2, label="eˣ")
    for n, style in ((1, "--"), (2, "-."), (4, ":")):
        taylor = sum(x**k / factorial(k) for k in range(n + 1))
        left.plot(x, taylor, style, label=f"degree {n}")
    left.set_ylim(-1.5, 8)
    left.set_xlabel("x")
    left.set_title("Taylor polynomials of eˣ at 0", fontsize=9)
    left.legend(fontsize=8, loc="upper left")
    distance = np.logspace(-2, 0, 60)
    for n, style in ((1, "--"), (2, "-."), (4, ":")):
        error = np.abs(np.exp(distance) - sum(distance**k / factorial(k) for k in range(n + 1)))
        right.loglog(distance, error, style, label=f"degree {n}: slope {n + 1}")
    right.set_xlabel("distance |x − a|")
    right.set_title("error, log–log scale", fontsize=9)
    right.legend(fontsize=8, loc="lower right")


def newton_steps(figure):
    figure.set_size_inches(7, 3.2)
    left, right = figure.subplots(1, 2)
    x = np.linspace(0.25, 2.2, 200)
    left.plot(x, x - np.log(x), color="black", lw=2, label="f(x) = x − log x")
    xk = 0.5
    for step, color in ((0, "C0"), (1, "C1")):
        f, d1, d2 = xk - np.log(xk), 1 - 1 / xk, 1 / xk**2
        near = np.linspace(xk - 0.45, xk + 0.9, 100)
        left.plot(
            near,
            f + d1 * (near - xk) + 0.5 * d2 * (near - xk) ** 2,
            "--",
            color=color,
            lw=1.2,
            label=f"quadratic model at x{'₀₁'[step]} = {xk:g}",
        )
        new = xk - d1 / d2
        left.plot([xk], [f], "o", color=color)
        left.annotate(
            "", xy=(new, f - d1**2 / (2 * d2)), xytext=(xk, f), arrowprops={"arrowstyle": "->", "color": color}
        )
        xk = new
    left.set_ylim(0.9, 2.1)
    left.set_xlabel("x")
    left.legend(fontsize=7.5, loc="upper right")
    newton, descent = [0.5], [0.5]
    for _ in range(6):
        newton.append(2 * newton[-1] - newton[-1] ** 2)
        descent.append(descent[-1] - 0.25 * (1 - 1 / descent[-1]))
    steps = np.arange(len(newton))
    right.semilogy(steps, np.abs(1 - np.array(newton)) + 1e-17, "o-", label="Newton: the error is squared")
    right.semilogy(steps, np.abs(1 - np.array(descent)), "s--", label="gradient descent, α = 0.25")
    right.set_ylim(1e-17, 1)
    right.set_xlabel("step k")
    right.set_ylabel("error |1 − xₖ|")
    right.legend(fontsize=7.5, loc="lower left")


def lagrange_tangency(figure):
    figure.set_size_inches(5, 4)
    ax = figure.subplots()
    x, y = np.meshgrid(np.linspace(-1, 4, 120), np.linspace(-1, 4, 120))
    contours = ax.contour(x, y, x**2 + y**2, levels=[1, 2.5, 5, 8, 12], colors="0.6", linewidths=0.9)
    ax.clabel(contours, fontsize=7, fmt="%g")
    line = np.linspace(-1, 4, 2)
    ax.plot(line, (5 - line) / 2, color="C0", lw=2, label="constraint x + 2y = 5")
    ax.plot(1, 2, "o", color="C3", label="optimum (1, 2), value 5")
    ax.annotate("", xy=(1 + 0.5, 2 + 1.0), xytext=(1, 2), arrowprops={"arrowstyle": "->", "color": "C3", "lw": 1.8})
    ax.text(1.55, 3.05, "∇f = (2, 4)", color="C3", fontsize=9)
    ax.annotate("", xy=(1 + 0.25, 2 + 0.5), xytext=(1, 2), arrowprops={"arrowstyle": "->", "color": "C0", "lw": 1.8})
    ax.text(1.3, 2.35, "∇h = (1, 2)", color="C0", fontsize=9)
    ax.set_xlim(-1, 4)
    ax.set_ylim(-1, 4)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize=8, loc="lower left")
