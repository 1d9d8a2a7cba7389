"""Figures of the introduction lesson (docs/content-format.md, "Figures")."""

import numpy as np


def exp_and_log(figure):
    figure.set_size_inches(4.8, 4.2)
    ax = figure.subplots()
    x = np.linspace(-3, 2.2, 200)
    ax.plot(x, np.exp(x), label="y = eˣ")
    y = np.linspace(0.03, 9, 300)
    ax.plot(y, np.log(y), "--", label="y = log x")
    ax.plot([-3, 9], [-3, 9], ":", color="0.5", label="the mirror line y = x")
    for a in (0.0, 1.0, 2.0):
        ax.plot([a, np.exp(a)], [np.exp(a), a], color="0.75", lw=0.8)
        ax.plot(a, np.exp(a), "o", color="C0", ms=4)
        ax.plot(np.exp(a), a, "o", color="C1", ms=4)
    ax.annotate("(1, e)", (1, np.e), xytext=(-34, 4), textcoords="offset points", fontsize=8, color="C0")
    ax.annotate("(e, 1)", (np.e, 1), xytext=(4, -12), textcoords="offset points", fontsize=8, color="C1")
    ax.axhline(0, color="0.85", lw=0.8)
    ax.axvline(0, color="0.85", lw=0.8)
    ax.set_xlim(-3, 8)
    ax.set_ylim(-3, 8)
    ax.set_aspect("equal")
    ax.legend(fontsize=8, loc="upper left")


def products_vanish_sums_do_not(figure):
    figure.set_size_inches(7, 3)
    left, right = figure.subplots(1, 2)
    n = np.arange(1, 8001)
    p = 0.9
    with np.errstate(under="ignore"):
        product = p ** n.astype(float)
    shown = product > 0
    left.semilogy(n[shown], product[shown])
    underflow = n[~shown][0]
    left.axvline(underflow, color="C3", ls=":")
    left.text(
        underflow - 150, 1e-100, f"exactly 0.0 from n = {underflow:,}\n(underflow)", color="C3", ha="right", fontsize=8
    )
    left.set_xlim(0, 8000)
    left.set_ylim(1e-320, 1e10)
    left.set_title("the product ∏ pᵢ, log scale", fontsize=9)
    left.set_xlabel("number of observations n, each pᵢ = 0.9")
    right.plot(n, np.cumsum(np.log(np.full(n.size, p))))
    right.set_title("the log-likelihood Σ log pᵢ", fontsize=9)
    right.set_xlabel("number of observations n")
    right.text(500, -700, f"a straight line: n · log 0.9,\n{n[-1] * np.log(p):,.0f} at n = {n[-1]:,}", fontsize=8)
