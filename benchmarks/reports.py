"""Cohort reports at a class's scale: 2,000 learners × 150 exercises with 300,000 graded
submissions (by default).

Builds the data set in a throwaway test database (never the development one; PostgreSQL when
DATABASE_URL names one, else SQLite), then renders every report page through the test client:
the cohort dashboard (default, a module opened, sorted by score and by a column, filtered to
stuck learners, the last page), the exercises most learners have not solved (which the
dashboard loads after itself), an exercise's analytics, a learner's page, the completion
chart, and the exports.
For each it prints the render time, the SQL queries and the size. The pages' budget is 300 ms
and 300 KB each, in a fixed number of queries; the exports (whole-cohort downloads) are listed
but not held to it. The last line is

    reports: learners N, worst page X ms, worst size Y KB, queries Q

    python benchmarks/reports.py [--learners 2000] [--exercises 150] [--submissions 300000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlcourse.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from exercises.access import INSTRUCTORS_GROUP  # noqa: E402
from exercises.models import Exercise, ExerciseProgress, ExerciseVersion, Module, ModuleProgress, Submission  # noqa: E402
from teaching.models import Cohort, Enrollment  # noqa: E402

MISTAKES = ["transposed", "scaled", "sign", "wrong axis", "off by one"]


def build(learners: int, exercises: int, submissions: int, seed: int = 7) -> tuple[Cohort, User, Exercise]:
    rng = random.Random(seed)
    now = timezone.now()
    modules = Module.objects.bulk_create([Module(slug=f"m{i}", title=f"Module {i}", order=i) for i in range(12)])
    rows = Exercise.objects.bulk_create(
        [
            Exercise(
                module=modules[i % len(modules)],
                slug=f"ex-{i}",
                title=f"Exercise {i}",
                kind="code",
                order=i,
                published=True,
            )
            for i in range(exercises)
        ]
    )
    versions = ExerciseVersion.objects.bulk_create(
        [
            ExerciseVersion(exercise=exercise, number=1, statement="...", spec={}, digest=f"{exercise.pk:064d}")
            for exercise in rows
        ]
    )
    for exercise, version in zip(rows, versions, strict=True):
        exercise.current_version = version
    Exercise.objects.bulk_update(rows, ["current_version"])
    users = User.objects.bulk_create([User(username=f"learner{i:04d}") for i in range(learners)])
    instructor = User.objects.create_user("bench-instructor")
    instructor.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    cohort = Cohort.objects.create(name="Benchmark cohort")
    cohort.instructors.add(instructor)
    Enrollment.objects.bulk_create(
        [Enrollment(cohort=cohort, learner=user, joined_at=now - timedelta(days=60)) for user in users]
    )

    progress: dict[tuple[int, int], dict] = {}
    batch = []
    for _ in range(submissions):
        user = rng.choice(users)
        index = min(int(rng.expovariate(1 / 30)), exercises - 1)  # early exercises see more work
        exercise, version = rows[index], versions[index]
        at = now - timedelta(days=rng.uniform(0, 50))
        correct = rng.random() < 0.4
        score = 1.0 if correct else rng.choice([0.0, 0.25, 0.5, 0.75])
        failing = (
            [] if correct else [{"name": f"case {rng.randint(1, 6)}", "passed": False, "hidden": False, "message": ""}]
        )
        batch.append(
            Submission(
                learner=user,
                exercise=exercise,
                version=version,
                answer="def f(x):\n    return x\n",
                status=Submission.Status.GRADED,
                score=score,
                correct=correct,
                submitted_at=at,
                finished_at=at,
                feedback={"status": "graded", "score": score, "cases": failing},
                failed_cases=[case["name"] for case in failing],
                diagnoses=[] if correct else rng.sample(MISTAKES, rng.randint(0, 1)),
            )
        )
        key = (user.pk, exercise.pk)
        row = progress.setdefault(
            key,
            {
                "attempts": 0,
                "best": 0.0,
                "first": at,
                "last": at,
                "solved": None,
                "failed": set(),
                "mistakes": set(),
                "to_solve": None,
            },
        )
        row["attempts"] += 1
        row["best"] = max(row["best"], score)
        row["first"], row["last"] = min(row["first"], at), max(row["last"], at)
        row["failed"].update(case["name"] for case in failing)
        row["mistakes"].update(batch[-1].diagnoses)
        if correct:
            row["solved"] = min(row["solved"] or at, at)
            row["to_solve"] = row["to_solve"] or row["attempts"]
    Submission.objects.bulk_create(batch, batch_size=2000)
    ExerciseProgress.objects.bulk_create(
        [
            ExerciseProgress(
                learner_id=learner_id,
                exercise_id=exercise_id,
                attempts=row["attempts"],
                best_score=row["best"],
                first_submitted_at=row["first"],
                last_submitted_at=row["last"],
                solved_at=row["solved"],
                attempts_to_solve=row["to_solve"],
                failed_cases=sorted(row["failed"]),
                mistakes=sorted(row["mistakes"]),
            )
            for (learner_id, exercise_id), row in progress.items()
        ],
        batch_size=2000,
    )
    for module in modules:  # the per-module totals grading keeps (bulk rows skip ExerciseProgress.refresh)
        ModuleProgress.rebuild(module.pk)
    return cohort, instructor, rows[0]


def settle() -> None:
    """What the database does by itself after a bulk load, before the pages are read: planner
    statistics (and PostgreSQL's visibility map, which autovacuum would set within a minute)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def measure(client: Client, label: str, url: str, runs: int = 3) -> tuple[float, int, int]:
    """The median render time of `runs`, after one warm-up (templates, URL resolver)."""
    client.get(url)
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
    assert response.status_code == 200, (url, response.status_code)
    seconds = sorted(times)[len(times) // 2]
    size = len(response.content)
    print(f"{label:<36} {seconds * 1000:7.0f} ms  {len(queries):3d} queries  {size / 1000:8.1f} KB")
    return seconds, size, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--exercises", type=int, default=150)
    parser.add_argument("--submissions", type=int, default=300_000)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        cohort, instructor, first_exercise = build(args.learners, args.exercises, args.submissions)
        print(
            f"Built {args.learners} learners × {args.exercises} exercises, {Submission.objects.count()} submissions, "
            f"{ExerciseProgress.objects.count()} progress rows in {time.perf_counter() - started:.1f} s "
            f"({connection.vendor})"
        )
        settle()
        client = Client()
        client.force_login(instructor)
        dashboard = reverse("teaching:cohort", args=[cohort.pk])
        learner = Enrollment.objects.filter(cohort=cohort).order_by("learner__username").first().learner_id
        pages = {
            "dashboard": dashboard,
            "dashboard, a module opened": f"{dashboard}?module=m0",
            "dashboard, sorted by score": f"{dashboard}?sort=score&order=desc",
            "dashboard, sorted by an exercise": f"{dashboard}?module=m0&sort=exercise:{first_exercise.slug}&order=desc",
            "dashboard, stuck learners": f"{dashboard}?status=struggling",
            "dashboard, last page": f"{dashboard}?page=40",
            "needs attention: hardest exercises": reverse("teaching:cohort_hardest", args=[cohort.pk]),
            "exercise analytics (busiest)": reverse("teaching:cohort_exercise", args=[cohort.pk, first_exercise.slug]),
            "a learner's page": reverse("teaching:cohort_learner", args=[cohort.pk, learner]),
            "completion chart (counts kept 5 min)": reverse("teaching:cohort_completion", args=[cohort.pk]),
        }
        exports = {
            "export: grid CSV": reverse("teaching:cohort_grid_csv", args=[cohort.pk]),
            "export: gradebook CSV": reverse("teaching:cohort_gradebook_csv", args=[cohort.pk]),
            "export: all scores CSV": reverse("teaching:cohort_scores_csv", args=[cohort.pk]),
        }
        figures = [measure(client, label, url) for label, url in pages.items()]
        print("(exports are whole-cohort downloads, outside the pages' budget)")
        for label, url in exports.items():
            measure(client, label, url, runs=1)
        worst_ms = max(seconds for seconds, _, _ in figures) * 1000
        worst_kb = max(size for _, size, _ in figures) / 1000
        queries = max(count for _, _, count in figures)
        cache.clear()  # the chart's counts are kept 5 minutes, its drawing as long as its data holds
        started = time.perf_counter()
        client.get(reverse("teaching:cohort_completion", args=[cohort.pk]), HTTP_HX_REQUEST="true")
        print(
            f"completion chart, counted and drawn afresh: {(time.perf_counter() - started) * 1000:.0f} ms (at most once in 5 minutes)"
        )
        print(f"budget: 300 ms and 300 KB per page -> {'within' if worst_ms <= 300 and worst_kb <= 300 else 'OVER'}")
        print(
            f"reports: learners {args.learners}, worst page {worst_ms:.0f} ms, worst size {worst_kb:.0f} KB, queries {queries}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
