"""Figures of the probability and statistics lesson (docs/content-format.md, "Figures")."""

from math import lgamma

import numpy as np


def _normal(x, mean=0.0, sd=1.0):
    return np.exp(-0.5 * ((x - mean) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))


def _beta(theta, a, b):
    return np.exp((a - 1) * np.log(theta) + (b - 1) * np.log1p(-theta) + lgamma(a + b) - lgamma(a) - lgamma(b))


def _student_t(x, nu):
    log_c = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * np.log(nu * np.pi)
    return np.exp(log_c - (nu + 1) / 2 * np.log1p(x**2 / nu))


def normal_mass(figure):
    figure.set_size_inches(6, 3.2)
    ax = figure.subplots()
    z = np.linspace(-4, 4, 321)
    ax.plot(z, _normal(z), color="black")
    wide = np.abs(z) <= 1.96
    ax.fill_between(z[wide], _normal(z[wide]), color="C0", alpha=0.2, label="|z| ≤ 1.96: 95%")
    narrow = np.abs(z) <= 1
    ax.fill_between(z[narrow], _normal(z[narrow]), color="C0", alpha=0.35, label="|z| ≤ 1: 68%")
    for edge in (-1.96, -1, 1, 1.96):
        ax.axvline(edge, color="0.6", lw=0.8, ls=":")
    ax.set_xticks([-3, -1.96, -1, 0, 1, 1.96, 3], ["−3", "−1.96", "−1", "0", "1", "1.96", "3"])
    ax.set_xlabel("z = (x − μ) / σ")
    ax.set_ylabel("density")
    ax.set_ylim(0, 0.45)
    ax.legend(fontsize=8, loc="upper right")


def t_against_normal(figure):
    figure.set_size_inches(6, 3.2)
    left, right = figure.subplots(1, 2, width_ratios=[3, 2])
    x = np.linspace(-5, 5, 401)
    left.plot(x, _normal(x), color="black", label="standard normal")
    for nu, style in ((2, "--"), (4, "-."), (29, ":")):
        left.plot(x, _student_t(x, nu), style)
    left.set_ylabel("density")
    tail = x >= 2
    right.plot(x[tail], _normal(x[tail]), color="black", label="standard normal")
    for nu, style in ((2, "--"), (4, "-."), (29, ":")):
        right.plot(x[tail], _student_t(x[tail], nu), style, label=f"t, {nu} d.o.f.")
    right.legend(fontsize=7.5, loc="upper right")
    right.set_title("the right tail, enlarged", fontsize=9)
    right.set_xlabel("x")
    left.set_xlabel("x")


def beta_prior_to_posterior(figure):
    figure.set_size_inches(6, 3.3)
    ax = figure.subplots()
    theta = np.linspace(0.001, 0.999, 400)
    ax.plot(theta, _beta(theta, 2, 2), ":", color="0.35", label="prior Beta(2, 2), mean 0.5")
    likelihood = theta**7 * (1 - theta) ** 3
    ax.plot(
        theta, likelihood / np.trapezoid(likelihood, theta), "--", color="C1", label="likelihood of 7 in 10, scaled"
    )
    ax.plot(theta, _beta(theta, 9, 5), color="C0", label="posterior Beta(9, 5), mean 0.643")
    ax.plot(theta, _beta(theta, 72, 32), color="C3", label="after 70 in 100: Beta(72, 32), mean 0.692")
    ax.axvline(0.7, color="0.7", lw=0.8)
    ax.set_xlabel("θ, the click probability")
    ax.set_ylabel("density")
    ax.legend(fontsize=8, loc="upper left")
