"""Cohort reports at scale: 500 learners × 120 exercises with 50,000 graded submissions.

Builds the data set in a throwaway test database (never the development one), then renders
the cohort dashboard, the exercise analytics page, the grid CSV and the completion chart
(cached by its data, then drawn afresh) through the test client, printing for each the
render time and the number of SQL queries.

    python benchmarks/reports.py [--learners 500] [--exercises 120] [--submissions 50000]
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
from exercises.models import Exercise, ExerciseProgress, ExerciseVersion, Module, Submission  # noqa: E402
from teaching.models import Cohort, Enrollment  # noqa: E402

MISTAKES = ["transposed", "scaled", "sign", "wrong axis", "off by one"]


def build(learners: int, exercises: int, submissions: int, seed: int = 7) -> tuple[Cohort, User, Exercise]:
    rng = random.Random(seed)
    now = timezone.now()
    modules = Module.objects.bulk_create([Module(slug=f"m{i}", title=f"Module {i}", order=i) for i in range(12)])
    rows = Exercise.objects.bulk_create(
        [
            Exercise(module=modules[i % len(modules)], slug=f"ex-{i}", title=f"Exercise {i}", kind="code", order=i, published=True)
            for i in range(exercises)
        ]
    )
    versions = ExerciseVersion.objects.bulk_create(
        [ExerciseVersion(exercise=exercise, number=1, statement="...", spec={}, digest=f"{exercise.pk:064d}") for exercise in rows]
    )
    for exercise, version in zip(rows, versions, strict=True):
        exercise.current_version = version
    Exercise.objects.bulk_update(rows, ["current_version"])
    users = User.objects.bulk_create([User(username=f"learner{i:04d}") for i in range(learners)])
    instructor = User.objects.create_user("bench-instructor")
    instructor.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    cohort = Cohort.objects.create(name="Benchmark cohort")
    cohort.instructors.add(instructor)
    Enrollment.objects.bulk_create([Enrollment(cohort=cohort, learner=user, joined_at=now - timedelta(days=60)) for user in users])

    progress: dict[tuple[int, int], dict] = {}
    batch = []
    for _ in range(submissions):
        user = rng.choice(users)
        index = min(int(rng.expovariate(1 / 30)), exercises - 1)  # early exercises see more work
        exercise, version = rows[index], versions[index]
        at = now - timedelta(days=rng.uniform(0, 50))
        correct = rng.random() < 0.4
        score = 1.0 if correct else rng.choice([0.0, 0.25, 0.5, 0.75])
        failing = [] if correct else [{"name": f"case {rng.randint(1, 6)}", "passed": False, "hidden": False, "message": ""}]
        batch.append(
            Submission(
                learner=user, exercise=exercise, version=version, answer="def f(x):\n    return x\n",
                status=Submission.Status.GRADED, score=score, correct=correct, submitted_at=at, finished_at=at,
                feedback={"status": "graded", "score": score, "cases": failing},
                diagnoses=[] if correct else rng.sample(MISTAKES, rng.randint(0, 1)),
            )
        )
        key = (user.pk, exercise.pk)
        row = progress.setdefault(key, {"attempts": 0, "best": 0.0, "first": at, "last": at, "solved": None})
        row["attempts"] += 1
        row["best"] = max(row["best"], score)
        row["first"], row["last"] = min(row["first"], at), max(row["last"], at)
        if correct:
            row["solved"] = min(row["solved"] or at, at)
    Submission.objects.bulk_create(batch, batch_size=2000)
    ExerciseProgress.objects.bulk_create(
        [
            ExerciseProgress(
                learner_id=learner_id, exercise_id=exercise_id, attempts=row["attempts"], best_score=row["best"],
                first_submitted_at=row["first"], last_submitted_at=row["last"], solved_at=row["solved"],
            )
            for (learner_id, exercise_id), row in progress.items()
        ],
        batch_size=2000,
    )
    return cohort, instructor, rows[0]


def measure(client: Client, label: str, url: str, *, warm: bool = True, **headers) -> None:
    if warm:
        client.get(url, **headers)  # warm caches (templates, URL resolver) so the figure is the steady state
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url, **headers)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    print(f"{label:<28} {seconds * 1000:8.0f} ms  {len(queries):3d} queries  {len(response.content) / 1e6:6.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--exercises", type=int, default=120)
    parser.add_argument("--submissions", type=int, default=50_000)
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
        client = Client()
        client.force_login(instructor)
        measure(client, "cohort dashboard", reverse("teaching:cohort", args=[cohort.pk]))
        measure(client, "grid CSV", reverse("teaching:cohort_grid_csv", args=[cohort.pk]))
        measure(client, "all scores CSV", reverse("teaching:cohort_scores_csv", args=[cohort.pk]))
        measure(client, "exercise analytics", reverse("teaching:cohort_exercise", args=[cohort.pk, first_exercise.slug]))
        completion = reverse("teaching:cohort_completion", args=[cohort.pk])
        measure(client, "completion chart (htmx)", completion, HTTP_HX_REQUEST="true")
        cache.clear()  # the charts are cached by their data: this is the cost of drawing one
        measure(client, "completion chart, drawn", completion, HTTP_HX_REQUEST="true", warm=False)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
