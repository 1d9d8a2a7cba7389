"""Grading speed: sandbox overhead against a naive new interpreter, throughput, and the
queued -> graded latency through Celery and Redis.

    python benchmarks/grading.py [--runs 200] [--celery/--no-celery] [--plots-only]

Overhead is the time of a sandboxed run minus the time the learner's own code took (the
child measures that itself), for a trivial NumPy exercise. The naive baseline is
`subprocess.run([python, -c, ...])` importing NumPy and calling the same function: what a
grader that starts a fresh interpreter per submission pays. Throughput uses one process per
core, each with its own fork server, as Celery's prefork pool does. The Celery figure starts
a worker against REDIS_URL (default redis://127.0.0.1:6379/15) and a throwaway SQLite
database, submits through the model, and stops the worker at the end.

Feedback plots: what grading pays to keep the values a plot needs (`plots.keep_for_plots`,
on the grading path), and what drawing a plot costs when a page asks for it (off the grading
path): the first drawing in a process (it imports matplotlib) and warm ones, per kind.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOURCE = "import numpy as np\n\ndef mean_rows(X):\n    return np.asarray(X).mean(axis=1)\n"


def _budgets() -> dict:
    """Per-case time budgets as the engine passes them: the real grading path arms timers."""
    from grader import sandbox

    return {"budgets": [sandbox.Budget(0.5, 2.0)], "load": sandbox.Budget(1.0, 4.0)}


def _setup_django(database: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlcourse.settings")
    os.environ.setdefault("DEBUG", "true")
    if database:
        os.environ["DATABASE_URL"] = database
    import django

    django.setup()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def sandbox_overheads(runs: int) -> list[float]:
    import numpy as np

    from grader import sandbox

    budgets = _budgets()
    limits = sandbox.limits_for()
    X = np.arange(12.0).reshape(3, 4)
    sandbox.run_calls(SOURCE, "mean_rows", [([X], {})], limits, **budgets)  # start the fork server
    overheads = []
    for _ in range(runs):
        started = time.perf_counter()
        outcome = sandbox.run_calls(SOURCE, "mean_rows", [([X], {})], limits, **budgets)
        elapsed = time.perf_counter() - started
        assert outcome.status == "ok", outcome.message
        overheads.append(elapsed - outcome.response["results"][0]["seconds"])
    return overheads


def naive_overheads(runs: int) -> list[float]:
    program = (
        SOURCE
        + "import sys, time\nX = np.arange(12.0).reshape(3, 4)\nt = time.perf_counter()\nr = mean_rows(X)\nprint(time.perf_counter() - t)\n"
    )
    overheads = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
        overheads.append(time.perf_counter() - started - float(done.stdout))
    return overheads


def _throughput_worker(args) -> int:
    seconds, barrier_at = args
    _setup_django()
    import numpy as np

    from grader import sandbox

    budgets = _budgets()
    limits = sandbox.limits_for()
    X = np.arange(12.0).reshape(3, 4)
    sandbox.run_calls(SOURCE, "mean_rows", [([X], {})], limits, **budgets)
    while time.time() < barrier_at:
        time.sleep(0.001)
    done = 0
    while time.time() < barrier_at + seconds:
        outcome = sandbox.run_calls(SOURCE, "mean_rows", [([X], {})], limits, **budgets)
        assert outcome.status == "ok"
        done += 1
    return done


def throughput(seconds: float) -> tuple[int, float]:
    cores = os.cpu_count() or 1
    start_at = time.time() + 3
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        counts = pool.map(_throughput_worker, [(seconds, start_at)] * cores)
    return cores, sum(counts) / seconds


def celery_latency(submissions: int) -> list[float]:
    """Queued -> graded through a real worker; returns seconds per submission."""
    from django.contrib.auth import get_user_model

    from exercises.models import Submission
    from exercises.tasks import grade_submission

    exercise_version = _bench_exercise()
    learner = get_user_model().objects.create_user("bench-learner", password="x")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mlcourse",
            "worker",
            "-Q",
            "grading",
            "-P",
            "threads",
            "--loglevel=ERROR",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    latencies = []
    try:
        warm = Submission.objects.create(
            learner=learner, exercise=exercise_version.exercise, version=exercise_version, answer=SOURCE
        )
        grade_submission.delay(warm.pk)
        _wait_graded(warm.pk, 60)
        for _ in range(submissions):
            submission = Submission.objects.create(
                learner=learner, exercise=exercise_version.exercise, version=exercise_version, answer=SOURCE
            )
            queued = time.perf_counter()
            grade_submission.delay(submission.pk)
            _wait_graded(submission.pk, 30)
            latencies.append(time.perf_counter() - queued)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return latencies


def _wait_graded(pk: int, timeout: float) -> None:
    from exercises.models import Submission

    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if Submission.objects.filter(pk=pk, status__in=["graded", "error"]).exists():
            return
        time.sleep(0.0005)
    raise TimeoutError(f"submission {pk} was not graded within {timeout} s")


def _bench_exercise():
    from exercises.models import Exercise, Module

    spec = {
        "entry_point": "mean_rows",
        "reference": SOURCE,
        "starter": "def mean_rows(X):\n    raise NotImplementedError\n",
        "cases": "import numpy as np\n\ndef cases(rng):\n    yield {'name': 'a', 'args': [rng.normal(size=(3, 4))]}\n    yield {'name': 'b', 'args': [rng.normal(size=(5, 2))]}\n",
        "compare": {"method": "allclose"},
    }
    module, _ = Module.objects.get_or_create(slug="bench", defaults={"title": "Benchmark"})
    exercise, _ = Exercise.objects.get_or_create(
        slug="bench-mean-rows", defaults={"module": module, "title": "Row means", "kind": "code"}
    )
    version = exercise.add_version("Row means.", spec)
    version.prepared_cases()
    return version


def plot_costs(runs: int) -> None:
    import numpy as np

    from grader import plots
    from grader.engine import PreparedCase

    z = np.linspace(-3, 3, 7)
    sigmoid = {"entry_point": "sigmoid", "reference": "def sigmoid(z):\n    ...\n", "compare": {"method": "allclose"}}
    matmul = {"entry_point": "matmul", "reference": "def matmul(A, B):\n    ...\n", "compare": {"method": "allclose"}}
    momentum = {
        "entry_point": "momentum_descent",
        "reference": "def momentum_descent(A, b, w0, lr, beta, n_steps):\n    ...\n",
        "compare": {"method": "allclose"},
        "plot": {"kind": "path", "loss": "quadratic", "A": "A", "b": "b"},
    }
    A, b = np.diag([1.0, 50.0]), np.ones(2)
    path = np.cumsum(np.full((41, 2), 0.1), axis=0) - [5.0, -1.0]
    M = np.arange(6.0).reshape(2, 3) @ np.arange(12.0).reshape(3, 4)
    examples = {
        "curve": (
            sigmoid,
            PreparedCase("values", [z], {}, False, 0.5 * (1 + np.tanh(z / 2))),
            0.5 * (1 + np.tanh(-z / 2)),
        ),
        "heatmap": (
            matmul,
            PreparedCase("2x3 3x4", [np.ones((2, 3)), np.ones((3, 4))], {}, False, M),
            M + np.eye(2, 4),
        ),
        "path": (momentum, PreparedCase("valley", [A, b, path[0], 0.03, 0.7, 40], {}, False, path), path * 1.01),
    }
    for kind, (spec, case, got) in examples.items():
        results = {0: {"ok": True, "value": got}}
        report(
            f"grading path: keep values ({kind})",
            [_timed(plots.keep_for_plots, spec, [case], results) for _ in range(runs)],
        )
    for kind, (spec, case, got) in examples.items():
        first = _timed(plots.draw, spec, case, got)
        warm = [_timed(plots.draw, spec, case, got) for _ in range(max(5, runs // 20))]
        size = len(plots.draw(spec, case, got).svg.encode())
        print(
            f"{'on request: draw ' + kind:<34} first {first * 1000:7.1f} ms   warm median {statistics.median(warm) * 1000:6.1f} ms   SVG {size / 1000:.1f} KB"
        )


def _timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def report(name: str, values: list[float]) -> tuple[float, float]:
    median, p95 = statistics.median(values) * 1000, _percentile(values, 0.95) * 1000
    print(f"{name:<34} median {median:8.2f} ms   p95 {p95:8.2f} ms   (n={len(values)})")
    return median, p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--naive-runs", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--celery", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--plots-only", action="store_true", help="only the feedback plots' costs")
    options = parser.parse_args()
    if options.plots_only:
        plot_costs(options.runs)
        return

    # A throwaway database and a Redis database of its own: the benchmark must not write into
    # the development database, and the worker it starts must see the same one.
    workdir = tempfile.mkdtemp(prefix="mlcourse-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["REDIS_URL"] = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env={**os.environ, "DEBUG": "true"}, check=True
    )
    _setup_django()
    from grader import sandbox

    report_layers = sandbox.isolation()
    active = [name for name, on in report_layers["layers"].items() if on]
    print(f"isolation layers active: {', '.join(active)}")
    for name, reason in report_layers["missing"].items():
        print(f"  missing {name}: {reason}")
    ours, _ = report("sandbox overhead per submission", sandbox_overheads(options.runs))
    naive, _ = report("naive subprocess.run overhead", naive_overheads(options.naive_runs))
    print(f"{'ratio naive / sandbox (median)':<34} {naive / ours:8.1f}x")
    cores, rate = throughput(options.seconds)
    print(f"{'throughput, small exercise':<34} {rate:8.1f} submissions/s on {cores} cores")
    if options.celery:
        report("Celery+Redis queued -> graded", celery_latency(100))
    plot_costs(options.runs)


if __name__ == "__main__":
    main()
