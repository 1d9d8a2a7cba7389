"""Plots in code feedback: the learner's values drawn against the reference's.

Everything here runs on the trusted side, on plain data: a case's inputs and the reference's
output (prepared in the sandbox) and the value the learner's function returned (decoded from
the sandbox's result frame by `sandbox.wire`). Nothing the learner wrote is run or evaluated.

Two steps, kept apart so that grading stays fast:

- at grading time, `keep_for_plots` picks the visible cases that have a plot (a cheap look at
  shapes, no drawing) and keeps what the learner's function returned on them, compactly
  (`wire` format, capped at `MAX_KEPT_BYTES`); hidden cases are never kept, since a plot
  would show their inputs;
- when a page asks for a case's plot, `draw` makes a small SVG (`grader.svg`) with a title
  and a description, from those kept values and the version's prepared cases.

The kinds of plot (an exercise's `plot` field, docs/content-format.md):

- `curve`: an element-wise function of one array: the learner's values and the reference's
  over that input, the points that differ circled;
- `values`: a vector by index, the same way;
- `heatmap`: a matrix result: the error (yours minus expected), the worst entry marked;
- `path`: an optimiser's iterates (one row per step) against the reference path, on the
  contours of a loss the exercise names (`quadratic` ½wᵀAw − bᵀw or `least-squares`
  ‖Xw − y‖²/2m, with the arguments that hold A and b, or X and y).

`auto` (the default) picks from the expected value's shape: a 1-D result shaped like one of
the array arguments is a curve over it, another 1-D result a `values` plot, a 2-D result a
heatmap; anything else (a scalar, a string) gets no plot.
"""

from __future__ import annotations

import ast
import functools
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from .sandbox import wire

log = logging.getLogger(__name__)

KINDS = ("auto", "none", "curve", "values", "heatmap", "path")
LOSSES = {"quadratic": ("A", "b"), "least-squares": ("X", "y")}
# Comparisons under which "your value minus the reference's" says nothing about correctness
# (another order, basis or solution is equally right): no automatic plot for them.
NOT_ELEMENTWISE = {"permutation", "set", "subspace", "residual"}
MAX_KEPT_BYTES = 64_000  # per submission: the values kept for its plots
MAX_POINTS = 5_000  # per value: larger results are not kept (a plot could not show them anyway)
MAX_HEATMAP = 48  # rows or columns
MAX_MARKERS = 160  # markers per series; past that the series is drawn as a line or thinned


class PlotSpecError(ValueError):
    """An exercise's `plot` field that cannot work."""


def normalise(spec: Any) -> dict:
    """An exercise's `plot` field as a dict with a `kind`; PlotSpecError when it cannot work."""
    if spec is None:
        return {"kind": "auto"}
    if isinstance(spec, str):
        spec = {"kind": spec}
    if not isinstance(spec, dict):
        raise PlotSpecError("write a kind (auto, none, curve, values, heatmap) or a mapping with 'kind'")
    plot = {"kind": "auto", **spec}
    if plot["kind"] not in KINDS:
        raise PlotSpecError(f"unknown kind {plot['kind']!r}; known: {', '.join(KINDS)}")
    known = {"kind", "item", "x", "loss", *(name for pair in LOSSES.values() for name in pair)}
    unknown = set(plot) - known
    if unknown:
        raise PlotSpecError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    if "item" in plot and (not isinstance(plot["item"], int) or isinstance(plot["item"], bool) or plot["item"] < 0):
        raise PlotSpecError("'item' must be the index of an item of a tuple result (0, 1, ...)")
    if plot["kind"] == "path":
        if plot.get("loss") not in LOSSES:
            raise PlotSpecError(f"a path plot needs 'loss': one of {', '.join(LOSSES)}")
        for name in LOSSES[plot["loss"]]:
            if not isinstance(plot.get(name), str | int) or isinstance(plot.get(name), bool):
                raise PlotSpecError(
                    f"a {plot['loss']} loss needs '{name}': the argument that holds it (its name or position)"
                )
    return plot


@functools.lru_cache(maxsize=256)
def parameters(source: str, entry_point: str) -> tuple[str, ...]:
    """The entry point's parameter names, read from the reference's syntax tree (never run)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == entry_point:
            return tuple(arg.arg for arg in node.args.posonlyargs + node.args.args)
    return ()


def check(spec: dict) -> None:
    """Validate a code exercise's `plot` field against its entry point; PlotSpecError if not."""
    plot = normalise(spec.get("plot"))
    names = parameters(spec["reference"], spec["entry_point"])
    for field_name in ("x", *(LOSSES.get(plot.get("loss"), ()))):
        where = plot.get(field_name)
        if where is None:
            continue
        if isinstance(where, str) and where not in names:
            raise PlotSpecError(
                f"'{field_name}': {where!r} is not a parameter of {spec['entry_point']}({', '.join(names)})"
            )
        if isinstance(where, int) and not 0 <= where < max(len(names), 1):
            raise PlotSpecError(f"'{field_name}': there is no argument at position {where}")


@dataclass
class Choice:
    """What to draw for one case: the kind, and the item of a tuple result it is about."""

    kind: str
    item: int | None = None
    x: int | None = None  # the argument plotted along the x axis (curve)


def _argument(spec: dict, args: list, kwargs: dict, where: str | int | None):
    if where is None:
        return None
    if isinstance(where, int):
        return args[where] if where < len(args) else None
    if where in kwargs:
        return kwargs[where]
    names = parameters(spec["reference"], spec["entry_point"])
    return args[names.index(where)] if where in names and names.index(where) < len(args) else None


def _numeric(value) -> np.ndarray | None:
    """The value as a float array, or None if it is not numbers."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        return None
    if array.dtype.kind not in "biuf" or array.size == 0 or array.size > MAX_POINTS:
        return None
    return array.astype(float)


def _is_items(value, compares: list) -> bool:
    """A tuple result is a group of items (drawn one at a time); so is a list when the exercise
    compares it item by item. Otherwise a list of numbers is an array."""
    return isinstance(value, tuple) or (isinstance(value, list) and len(compares) > 1)


def _compare_specs(spec: dict) -> list:
    compare = spec.get("compare") or {"method": "allclose"}
    return compare if isinstance(compare, list) else [compare]


def _differs(expected, got, compare: dict) -> bool:
    exp, mine = _numeric(expected), _numeric(got)
    if exp is None or mine is None or exp.shape != mine.shape:
        return True
    return not np.allclose(mine, exp, rtol=compare.get("rtol", 1e-6), atol=compare.get("atol", 1e-9), equal_nan=True)


def choose(spec: dict, args: list, kwargs: dict, expected, got) -> Choice | None:
    """The plot that fits this case, or None. Cheap: shapes only, nothing is drawn."""
    try:
        plot = normalise(spec.get("plot"))
    except PlotSpecError:
        return None
    if plot["kind"] == "none":
        return None
    item = None
    compares = _compare_specs(spec)
    if _is_items(expected, compares):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            return None
        item = plot.get("item")
        if item is None:
            item = next(
                (i for i, (e, g) in enumerate(zip(expected, got, strict=True)) if _differs(e, g, _pick(compares, i))), 0
            )
        if item >= len(expected):
            return None
        expected, got = expected[item], got[item]
    compare = _pick(compares, item or 0)
    exp, mine = _numeric(expected), _numeric(got)
    if exp is None or mine is None:
        return None
    kind = plot["kind"]
    if kind == "path":
        if exp.ndim != 2 or mine.ndim not in (1, 2) or mine.shape[-1] != exp.shape[1]:
            return None
        loss = [_numeric(_argument(spec, args, kwargs, plot[name])) for name in LOSSES[plot["loss"]]]
        return Choice("path", item) if all(value is not None for value in loss) else None
    if kind == "auto":
        if compare.get("method", "allclose") in NOT_ELEMENTWISE or exp.ndim not in (1, 2):
            return None
        kind = "heatmap" if exp.ndim == 2 else "curve"
    if exp.size != mine.size:
        return None
    if kind == "heatmap":
        if exp.ndim != 2 or exp.shape != mine.shape or max(exp.shape) > MAX_HEATMAP:
            return None
        return Choice("heatmap", item)
    if kind == "curve":
        x = _curve_axis(spec, plot, args, kwargs, exp)
        return Choice("curve", item, x) if x is not None else Choice("values", item)
    return Choice("values", item)


def _pick(compares: list, index: int) -> dict:
    compare = compares[index] if index < len(compares) else compares[-1]
    return compare if isinstance(compare, dict) else {}


def _curve_axis(spec: dict, plot: dict, args: list, kwargs: dict, exp: np.ndarray) -> int | None:
    """The position of the argument the result is a function of: the declared `x`, else the
    first array argument shaped like the result."""
    if plot.get("x") is not None:
        where = plot["x"]
        if isinstance(where, str):
            names = parameters(spec["reference"], spec["entry_point"])
            where = names.index(where) if where in names else None
        if (
            where is not None
            and where < len(args)
            and _numeric(args[where]) is not None
            and _numeric(args[where]).size == exp.size
        ):
            return where
        return None
    for position, arg in enumerate(args):
        array = _numeric(arg)
        if array is not None and array.shape == exp.shape and array.size > 1:
            return position
    return None


def _size(value) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, tuple | list):
        return 16 + sum(_size(item) for item in value)
    if isinstance(value, dict):
        return 16 + sum(len(key) + _size(item) for key, item in value.items())
    return 16 + (len(value) if isinstance(value, str) else 8)


def keep_for_plots(spec: dict, cases: list, results: dict[int, Any]) -> bytes | None:
    """The values the learner's function returned on the visible cases that have a plot, as
    one `wire` message ({case index: value}); None if there are none. Hidden cases are never
    kept. Called at grading time: it looks at shapes and encodes, it draws nothing. A plot is
    an extra: whatever goes wrong here costs the plots, never the verdict."""
    try:
        return _keep(spec, cases, results)
    except Exception:
        log.exception("Could not keep the returned values for plots")
        return None


def _keep(spec: dict, cases: list, results: dict[int, Any]) -> bytes | None:
    kept, budget = {}, MAX_KEPT_BYTES
    for index, case in enumerate(cases):
        result = results.get(index)
        if case.hidden or not isinstance(result, dict) or not result.get("ok"):
            continue
        got = result.get("value")
        if choose(spec, case.args, case.kwargs, case.expected, got) is None:
            continue
        size = _size(got)
        if size > budget:
            continue
        kept[str(index)] = got
        budget -= size
    return wire.dumps(kept) if kept else None


def kept_values(data: bytes | None) -> dict[int, Any]:
    if not data:
        return {}
    return {int(index): value for index, value in wire.loads(bytes(data)).items()}


# --- drawing --------------------------------------------------------------------------------


@dataclass
class Plot:
    kind: str
    svg: str  # sanitised, with <title> and <desc>
    title: str
    description: str


def draw(spec: dict, case, got, *, case_name: str | None = None) -> Plot | None:
    """The case's plot (an SVG of a few KB), or None when no plot fits. `case` has `args`,
    `kwargs`, `expected` and `hidden`; a hidden case is never drawn."""
    from . import svg

    with svg.style():
        sketched = sketch(spec, case, got, case_name=case_name)
        if sketched is None:
            return None
        figure, kind, title, description = sketched
        return Plot(kind, svg.render(figure, title=title, desc=description), title, description)


def sketch(spec: dict, case, got, *, case_name: str | None = None):
    """The plot as a matplotlib figure, with its kind, title and description; None when no plot
    fits or the case is hidden. Call it inside `svg.style()`."""
    from . import svg

    if getattr(case, "hidden", False):
        return None
    choice = choose(spec, case.args, case.kwargs, case.expected, got)
    if choice is None:
        return None
    expected = case.expected
    if choice.item is not None:
        expected, got = expected[choice.item], got[choice.item]
    compare = _pick(_compare_specs(spec), choice.item or 0)
    name = case_name or getattr(case, "name", "this case")
    figure = svg.new_figure(5.6, 3.2, layout=None)  # fixed margins: drawn while a page waits
    figure.subplots_adjust(left=0.13, right=0.96, bottom=0.15, top=0.96)
    draw_kind = {"curve": _draw_curve, "values": _draw_values, "heatmap": _draw_heatmap, "path": _draw_path}[
        choice.kind
    ]
    title, description = draw_kind(figure, spec, case, choice, _numeric(expected), _numeric(got), compare)
    if choice.item is not None:
        title = f"{title} (item {choice.item} of the returned tuple)"
    return figure, choice.kind, f"{title}, case {name!r}", description


def _wrong(exp: np.ndarray, mine: np.ndarray, compare: dict) -> np.ndarray:
    """Entries that differ beyond the exercise's tolerance (NaN and inf where the reference
    has numbers count as different)."""
    rtol, atol = compare.get("rtol", 1e-6), compare.get("atol", 1e-9)
    return ~np.isclose(mine, exp, rtol=rtol, atol=atol, equal_nan=True)


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _where(index) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _thin(count: int) -> np.ndarray:
    """Indices of at most MAX_MARKERS points spread over `count`."""
    if count <= MAX_MARKERS:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, MAX_MARKERS).round().astype(int))


def _mark_not_finite(ax, positions: np.ndarray, values: np.ndarray) -> int:
    bad = ~np.isfinite(values)
    if bad.any():
        top = ax.get_ylim()[1]
        ax.plot(
            positions[bad], np.full(bad.sum(), top), "v", color="C3", ms=7, clip_on=False, label="yours: NaN or inf"
        )
    return int(bad.sum())


def _summary(exp: np.ndarray, mine: np.ndarray, wrong: np.ndarray, where_of) -> str:
    if not wrong.any():
        return (
            "Your value agrees with the expected one."
            if exp.size == 1
            else f"All {exp.size} values agree with the expected ones."
        )
    error = np.abs(np.where(np.isfinite(mine), mine, np.inf) - exp)
    worst = np.unravel_index(np.argmax(np.where(wrong, error, -1)), exp.shape)
    gap = error[worst]
    gap_text = "not a finite number" if not np.isfinite(gap) else f"off by {_fmt(gap)}"
    return (
        f"{int(wrong.sum())} of {exp.size} values differ (marked); the largest difference is at {where_of(worst)}: "
        f"expected {_fmt(exp[worst])}, yours {_fmt(mine[worst]) if np.isfinite(mine[worst]) else mine[worst]} ({gap_text})."
    )


def _draw_curve(figure, spec, case, choice, exp, mine, compare):
    x = _numeric(case.args[choice.x]).ravel()
    names = parameters(spec["reference"], spec["entry_point"])
    x_name = names[choice.x] if choice.x < len(names) else f"argument {choice.x + 1}"
    exp_flat, mine_flat = exp.ravel(), mine.ravel()
    order = np.argsort(x, kind="stable")
    x, exp_flat, mine_flat = x[order], exp_flat[order], mine_flat[order]
    wrong = _wrong(exp_flat, mine_flat, compare)
    ax = figure.subplots()
    keep = _thin(x.size)
    if x.size > 12 and np.all(np.diff(x) > 0):
        ax.plot(x, exp_flat, color="0.35", lw=1.6, label="expected")
    else:
        ax.plot(x[keep], exp_flat[keep], "o", color="0.35", ms=6, mfc="none", label="expected")
    finite = np.isfinite(mine_flat)
    shown = keep[finite[keep]]
    ax.plot(x[shown], mine_flat[shown], "x", color="C0", ms=5, label="yours")
    bad = np.flatnonzero(wrong & finite)[:MAX_MARKERS]
    if bad.size:
        ax.plot(x[bad], mine_flat[bad], "o", color="C3", ms=10, mfc="none", mew=1.4, label="differs")
    _mark_not_finite(ax, x, mine_flat)
    ax.set_xlabel(x_name)
    ax.set_ylabel(f"{spec['entry_point']}({x_name})")
    ax.legend(fontsize=8, loc="best")
    where_of = lambda worst: f"{x_name} = {_fmt(x[worst[0]])}"  # noqa: E731
    description = (
        f"Your values (crosses) and the expected ones (grey) against {x_name}, over the case's "
        f"{x.size} inputs. " + _summary(exp_flat, mine_flat, wrong, where_of)
    )
    return f"Your {spec['entry_point']} against the expected values", description


def _draw_values(figure, spec, case, choice, exp, mine, compare):
    exp_flat, mine_flat = exp.ravel(), mine.ravel()
    wrong = _wrong(exp_flat, mine_flat, compare)
    index = np.arange(exp_flat.size)
    ax = figure.subplots()
    keep = _thin(index.size)
    style = "-" if index.size > 40 else "o"
    ax.plot(index[keep], exp_flat[keep], style, color="0.35", ms=6, mfc="none", label="expected")
    finite = np.isfinite(mine_flat)
    shown = keep[finite[keep]]
    ax.plot(index[shown], mine_flat[shown], "x", color="C0", ms=5, label="yours")
    bad = np.flatnonzero(wrong & finite)[:MAX_MARKERS]
    if bad.size:
        ax.plot(index[bad], mine_flat[bad], "o", color="C3", ms=10, mfc="none", mew=1.4, label="differs")
    _mark_not_finite(ax, index, mine_flat)
    ax.set_xlabel("index" + (" (flattened)" if exp.ndim > 1 or mine.ndim > 1 else ""))
    ax.legend(fontsize=8, loc="best")
    if exp.shape != mine.shape:
        note = f" Your result has shape {mine.shape}, the expected one {exp.shape}; both are shown flattened."
    else:
        note = ""
    description = (
        f"Your values (crosses) and the expected ones (grey), entry by entry, {exp_flat.size} entries. "
        + _summary(exp_flat, mine_flat, wrong, lambda worst: f"index {int(worst[0])}")
        + note
    )
    return f"Your {spec['entry_point']} entry by entry", description


def _draw_heatmap(figure, spec, case, choice, exp, mine, compare):
    error = mine - exp
    wrong = _wrong(exp, mine, compare)
    shown = np.where(np.isfinite(error), error, np.nan)
    limit = np.nanmax(np.abs(shown)) if np.isfinite(shown).any() else 1.0
    limit = limit if limit > 0 else 1.0
    ax = figure.subplots()
    image = ax.imshow(shown, cmap="RdBu_r", vmin=-limit, vmax=limit)
    figure.colorbar(image, ax=ax, shrink=0.85, label="yours − expected")
    rows, cols = exp.shape
    if rows * cols <= 64:
        for (i, j), value in np.ndenumerate(error):
            text = _fmt(value) if np.isfinite(value) else "nan" if np.isnan(mine[i, j]) else "inf"
            ax.text(
                j, i, text, ha="center", va="center", fontsize=7, color="white" if abs(value) > 0.6 * limit else "black"
            )
    if wrong.any():
        magnitude = np.where(np.isfinite(error), np.abs(error), np.inf)
        worst = np.unravel_index(np.argmax(np.where(wrong, magnitude, -1)), exp.shape)
        ax.add_patch(_box(worst))
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_xticks(range(cols) if cols <= 12 else ax.get_xticks()[1:-1])
    ax.set_yticks(range(rows) if rows <= 12 else ax.get_yticks()[1:-1])
    ax.spines[:].set_visible(False)
    description = (
        f"A {rows}×{cols} grid of your result minus the expected one: white where they agree, red where "
        f"yours is larger, blue where it is smaller; the worst entry is outlined. " + _summary(exp, mine, wrong, _where)
    )
    return f"Error of your {spec['entry_point']}, entry by entry", description


def _box(where):
    from matplotlib.patches import Rectangle

    i, j = where
    return Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", lw=2.2)


def _loss_function(spec, case, plot):
    first, second = (_numeric(_argument(spec, case.args, case.kwargs, plot[name])) for name in LOSSES[plot["loss"]])
    if plot["loss"] == "quadratic":
        A, b = first, second.ravel()
        return lambda W: 0.5 * np.einsum("...i,ij,...j->...", W, A, W) - W @ b, "½wᵀAw − bᵀw"
    X, y = first, second.ravel()
    m = max(len(y), 1)

    def least_squares(W):
        residual = W @ X.T - y
        return (residual**2).sum(axis=-1) / (2 * m)

    return least_squares, "‖Xw − y‖² / 2m"


def _draw_path(figure, spec, case, choice, exp, mine, compare):
    plot = normalise(spec.get("plot"))
    loss, formula = _loss_function(spec, case, plot)
    path = np.atleast_2d(mine)
    steps, d = exp.shape
    ax = figure.subplots()
    finite = np.all(np.isfinite(path), axis=1)
    if d == 2:
        low, high = exp.min(axis=0), exp.max(axis=0)
        span = np.maximum(high - low, 1e-3 * (1 + np.abs(high)))
        low, high = low - 0.35 * span, high + 0.35 * span
        g1, g2 = np.meshgrid(np.linspace(low[0], high[0], 48), np.linspace(low[1], high[1], 48))
        values = loss(np.stack([g1, g2], axis=-1))
        levels = np.unique(np.quantile(values, [0.01, 0.04, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9]))
        ax.contour(g1, g2, values, levels=levels, colors="0.75", linewidths=0.8, linestyles="solid")
        # Markers on every step only for short paths: they are most of a long path's bytes.
        ax.plot(exp[:, 0], exp[:, 1], "o-" if steps <= 25 else "-", color="0.35", ms=3, lw=1.2, label="expected path")
        if len(path) > 1:
            ax.plot(
                path[finite, 0],
                path[finite, 1],
                "x-" if len(path) <= 25 else "--",
                color="C0",
                ms=5,
                lw=1.2,
                label="your path",
            )
        else:
            ax.plot(path[finite, 0], path[finite, 1], "X", color="C0", ms=8, label="your result")
        ax.plot(*exp[-1], "o", color="0.35", ms=6)
        if finite.any() and len(path) > 1:
            ax.plot(*path[finite][-1], "X", color="C0", ms=7)
        ax.plot(*exp[0], "s", color="black", ms=5)
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.set_xlabel("w₁")
        ax.set_ylabel("w₂")
        what = f"on the contours of the loss {formula}"
    else:
        ax.plot(range(steps), loss(exp), "o-", color="0.35", ms=3, label="expected")
        if len(path) > 1:
            ax.plot(np.flatnonzero(finite), loss(path[finite]), "x-", color="C0", ms=5, label="yours")
        else:
            ax.axhline(loss(path[0]) if finite[0] else np.nan, color="C0", ls="--", label="your result")
        ax.set_xlabel("step")
        ax.set_ylabel(f"loss {formula}")
        what = f"as the loss {formula} at each step (the weights have {d} coordinates)"
    ax.legend(fontsize=8, loc="best")
    start = ", ".join(_fmt(v) for v in exp[0])
    end = ", ".join(_fmt(v) for v in exp[-1])
    description = f"The expected path of {steps - 1} steps from ({start}) to ({end}) and yours, {what}. "
    if len(path) == 1:
        description += (
            f"You returned a single point, ({', '.join(_fmt(v) for v in path[0])}), not the {steps} rows of a path."
        )
    elif path.shape != exp.shape:
        description += f"Your path has {len(path)} rows; the expected one has {steps}."
    else:
        apart = np.flatnonzero(np.any(_wrong(exp, path, compare), axis=1))
        if apart.size:
            description += (
                f"Yours leaves it at step {int(apart[0])} and ends at ({', '.join(_fmt(v) for v in path[-1])})."
            )
        else:
            description += "Yours follows it at every step."
    if not finite.all():
        description += f" {int((~finite).sum())} of your rows are not finite and are not drawn."
    return "Your iterates against the expected path", description
