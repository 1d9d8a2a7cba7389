"""Figures of the matrix decompositions lesson (docs/content-format.md, "Figures")."""

import numpy as np


def svd_rotate_stretch_rotate(figure):
    figure.set_size_inches(7.5, 2.4)
    axes = figure.subplots(1, 4)
    A = np.array([[2.0, 1.2], [0.4, 1.2]])
    _, s, Vt = np.linalg.svd(A)
    t = np.linspace(0, 2 * np.pi, 181)
    circle = np.stack([np.cos(t), np.sin(t)])
    stages = [
        ("x on the unit circle", np.eye(2)),
        ("Vᵀx: rotate", Vt),
        ("ΣVᵀx: stretch", np.diag(s) @ Vt),
        ("UΣVᵀx = Ax: rotate", A),
    ]
    for ax, (title, M) in zip(axes, stages, strict=True):
        shape = M @ circle
        ax.fill(shape[0], shape[1], color="C0", alpha=0.12)
        ax.plot(shape[0], shape[1], color="C0", lw=1.2)
        for k, color in ((0, "C3"), (1, "C1")):
            tip = M @ Vt[k]  # follow the two right singular vectors through the stages
            ax.annotate("", xy=tip, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": color, "lw": 1.6})
        ax.set_xlim(-2.7, 2.7)
        ax.set_ylim(-2.7, 2.7)
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
    axes[2].text(0, -2.6, f"σ₁ = {s[0]:.2f}, σ₂ = {s[1]:.2f}", ha="center", fontsize=8)


def _photo():
    """A grey-scale photograph bundled with scikit-learn (no download), reduced to 96 × 144."""
    from sklearn.datasets import load_sample_image

    image = load_sample_image("china.jpg").astype(float).mean(axis=2)
    rows, cols = 96, 144
    h, w = image.shape[0] // rows * rows, image.shape[1] // cols * cols
    return image[:h, :w].reshape(rows, h // rows, cols, w // cols).mean(axis=(1, 3))


def low_rank_image(figure):
    figure.set_size_inches(7.5, 3.6)
    image = _photo()
    U, s, Vt = np.linalg.svd(image, full_matrices=False)
    grid = figure.subplots(2, 3)
    m, n = image.shape
    for ax, k in zip(grid.flat[:5], (1, 5, 20, 50, None), strict=True):
        approx = image if k is None else (U[:, :k] * s[:k]) @ Vt[:k]
        # 32 grey levels: the pictures are embedded as PNG, which then compresses several times better
        ax.imshow(np.round(np.clip(approx, 0, 255) / 8) * 8, cmap="gray", vmin=0, vmax=255)
        if k is None:
            ax.set_title(f"original: {m * n:,} numbers", fontsize=8)
        else:
            ax.set_title(f"rank {k}: {k * (m + n + 1):,} numbers", fontsize=8)
        ax.set_axis_off()
    ax = grid.flat[5]
    ax.semilogy(np.arange(1, len(s) + 1), s, lw=1.4)
    ax.set_title("singular values σᵢ", fontsize=8)
    ax.set_xlabel("i", fontsize=8)
    ax.tick_params(labelsize=7)
