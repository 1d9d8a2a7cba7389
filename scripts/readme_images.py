"""Render the two pictures the README shows, as PNG files under docs/images/:

- a lesson figure, drawn by the optimization module's figures.py exactly as load_course draws it;
- a feedback plot, for a wrong answer to the momentum exercise graded by the real engine (its
  cases prepared and the answer run in the sandbox), drawn as the feedback page draws it.

    python scripts/readme_images.py
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "images"

WRONG_MOMENTUM = """
import numpy as np

def momentum_descent(A, b, w0, lr, beta, n_steps):
    w, v, path = np.array(w0, float), np.zeros(len(w0)), [np.array(w0, float)]
    for _ in range(n_steps):
        v = beta * v + (1 - beta) * (A @ w - b)   # an exponential average: not the heavy ball asked for
        w = w - lr * v
        path.append(w.copy())
    return np.array(path)
"""


def lesson_figure() -> Path:
    from grader import svg

    path = ROOT / "exercises" / "content" / "optimization" / "figures.py"
    spec = importlib.util.spec_from_file_location("optimization_figures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with svg.style():
        figure = svg.new_figure()
        module.optimisers_in_a_valley(figure)
        target = OUT / "lesson-figure.png"
        figure.savefig(target, dpi=150)
    return target


def feedback_plot() -> Path:
    from exercises.content import CONTENT_ROOT, read_exercise, read_syllabus
    from grader import engine, plots, sandbox, svg

    topics = {topic for module in read_syllabus().values() for topic in module["topics"]}
    item = read_exercise(CONTENT_ROOT / "optimization" / "16-momentum-quadratic.yaml", topics)
    cases = engine.prepare_code_cases(item.spec, item.version("optimization").seed)
    case = next(case for case in cases if not case.hidden)
    outcome = sandbox.run_calls(
        WRONG_MOMENTUM, item.spec["entry_point"], [(case.args, case.kwargs)], sandbox.limits_for(None)
    )
    got = outcome.results[0]["value"]
    with svg.style():
        figure, _kind, title, description = plots.sketch(item.spec, case, got)
        target = OUT / "feedback-plot.png"
        figure.savefig(target, dpi=150)
    print(f"{title}\n  {description}")
    return target


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlcourse.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    OUT.mkdir(parents=True, exist_ok=True)
    for target in (lesson_figure(), feedback_plot()):
        print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size // 1000} KB)")


if __name__ == "__main__":
    main()
