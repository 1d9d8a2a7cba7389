"""The instructors' charts: how a cohort fares on an exercise, and each module's completion
over time. Drawn from aggregates the models compute (never from anyone's code), as small
labelled SVGs (grader/svg.py), and cached by their data: a page that shows the same numbers
again does not draw them again."""

from __future__ import annotations

import hashlib
import json

import numpy as np
from django.core.cache import cache
from django.utils import timezone

from grader import svg

from .reports import CompletionHistory, ExerciseReport

CACHE_SECONDS = 3600
# A chart of days: the counts behind it may be this old (counting them reads every solve of the
# cohort, half a second on SQLite at 2,000 learners).
HISTORY_SECONDS = 300


def _cached(kind: str, data, draw) -> dict:
    key = f"chart:v1:{kind}:" + hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:24]
    chart = cache.get(key)
    if chart is None:
        chart = draw()
        cache.set(key, chart, CACHE_SECONDS)
    return chart


def exercise_chart(report: ExerciseReport) -> dict | None:
    """Histograms of the attempts each learner made (solved or not yet) and of their best
    scores; None before anyone tried."""
    if not report.attempted:
        return None
    data = [report.attempts_to_solve, report.attempts_unsolved, report.best_scores]
    return _cached("exercise", data, lambda: _draw_exercise(report))


def _draw_exercise(report: ExerciseReport) -> dict:
    bins = np.arange(1, 12)  # 1, 2, ..., 9 attempts, then 10 or more
    solved = np.bincount(np.minimum(np.array(report.attempts_to_solve, dtype=int), 10), minlength=11)[1:]
    unsolved = np.bincount(np.minimum(np.array(report.attempts_unsolved, dtype=int), 10), minlength=11)[1:]
    scores = np.asarray(report.best_scores, dtype=float)
    shares = np.bincount(np.minimum((scores * 10 + 1e-9).astype(int), 10), minlength=11)
    with svg.style():
        figure = svg.new_figure(7.2, 2.8)
        left, right = figure.subplots(1, 2)
        left.bar(bins[:-1], solved, color="#238b45", label="solved it (attempts to solve)")
        left.bar(
            bins[:-1], unsolved, bottom=solved, color="#fcc5c0", edgecolor="#fbb4ae", label="not yet (attempts so far)"
        )
        left.set_xticks(bins[:-1], [*map(str, range(1, 10)), "10+"])
        left.set_xlabel("attempts")
        left.set_ylabel("learners")
        left.yaxis.get_major_locator().set_params(integer=True)
        left.legend(fontsize=8)
        right.bar(np.arange(11), shares, color=[_shade(i) for i in range(11)], edgecolor="0.6", linewidth=0.5)
        right.set_xticks([0, 2, 4, 6, 8, 10], ["0%", "20%", "40%", "60%", "80%", "100%"])
        right.set_xlabel("best score")
        right.yaxis.get_major_locator().set_params(integer=True)
        title = f"Attempts and best scores on {report.exercise.title}"
        median = float(np.median(scores))
        desc = (
            f"{report.attempted} learners tried it; {report.solved} solved it, "
            + (f"most often at attempt {int(np.argmax(solved)) + 1}; " if report.solved else "")
            + f"{len(report.attempts_unsolved)} have not yet. Their best scores have a median of {round(100 * median)}%, "
            f"{int(shares[10])} at 100% and {int(shares[0])} below 10%."
        )
        picture = svg.render(figure, title=title, desc=desc)
    return {"svg": picture, "description": desc}


# The dashboard's heat scale (teaching.css: .c.s0 ... .c.s10), so that a score looks the same everywhere.
SHADES = [
    "#fde0dd", "#fcc5c0", "#fbb4ae", "#e6f2d4", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b",
]  # fmt: skip


def _shade(index: int) -> str:
    return SHADES[index]


def cohort_completion(cohort) -> dict | None:
    """The completion chart of a cohort, from counts at most HISTORY_SECONDS old, per time zone
    (a day is the viewer's day)."""
    key = f"completion:v1:{cohort.pk}:{cohort.created_at.timestamp()}:{timezone.get_current_timezone_name()}:{timezone.localdate()}"
    history = cache.get(key)
    if history is None:
        history = cohort.completion_over_time()
        cache.set(key, history, HISTORY_SECONDS)
    return completion_chart(history)


def completion_chart(history: CompletionHistory) -> dict | None:
    """Each module's completion over the days since the first solve; None before any."""
    if not history.days:
        return None
    data = [history.learners, [str(day) for day in history.days[:1]], len(history.days), history.modules]
    return _cached("completion", data, lambda: _draw_completion(history))


def _draw_completion(history: CompletionHistory) -> dict:
    days = np.array(history.days, dtype="datetime64[D]")
    with svg.style():
        figure = svg.new_figure(7.2, 3.4)
        ax = figure.subplots()
        colours = [svg_colour(i) for i in range(len(history.modules))]
        ended = []
        for (title, series), colour, style in zip(history.modules, colours, ["-", "--", "-.", ":"] * 8, strict=False):
            ax.step(days, 100 * np.asarray(series), where="post", color=colour, ls=style, lw=1.5, label=title)
            ended.append((series[-1], title))
        ax.set_ylabel("completion (%)")
        ax.set_ylim(0, 100)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        from matplotlib.dates import AutoDateLocator, DateFormatter

        if len(days) > 2:  # a day or two has no interval to choose: the days themselves are the ticks
            ax.xaxis.set_major_locator(AutoDateLocator(maxticks=8))
        else:
            ax.set_xticks(days)
        ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
        ended.sort(reverse=True)
        lead = ", ".join(f"{title} {round(100 * value)}%" for value, title in ended[:3])
        title = "Each module's completion over time"
        desc = (
            f"The share of the problem sets solved by the cohort's {history.learners} learners, module by module, "
            f"day by day from {history.days[0]:%d %b %Y} to {history.days[-1]:%d %b %Y}. Furthest along now: {lead}."
        )
        picture = svg.render(figure, title=title, desc=desc)
    return {"svg": picture, "description": desc}


def svg_colour(index: int) -> str:
    import matplotlib

    return matplotlib.colors.to_hex(matplotlib.colormaps["tab20"](index % 20))
