from datetime import timedelta

from django.utils import timezone

from exercises.models import ExerciseProgress
from teaching import exchange
from tests.conftest import make_user

from .conftest import CODE_EXERCISE


def test_it_builds_the_grid_with_solved_attempted_and_not_started(graded, cohort, exercise, learner):
    grid = cohort.grid()
    assert [row.username for row in grid.rows] == ["ada"]
    (row,) = grid.rows
    (cell,) = row.cells
    assert cell[0] == 2 and cell[1] == 1.0 and cell[2] is not None  # 2 attempts, best 100%, solved
    assert row.solved == 1 and row.attempted == 0
    (module,) = grid.modules
    assert module.completion == 1.0 and module.average_score == 1.0
    assert grid.inactive == []


def test_it_lists_learners_inactive_for_n_days(cohort, learner, exercise):
    quiet = make_user("quiet")
    cohort.enroll(quiet)
    cohort.enrollments.update(joined_at=timezone.now() - timedelta(days=30))
    now = timezone.now()
    ExerciseProgress.objects.create(
        learner=learner,
        exercise=exercise,
        attempts=1,
        first_submitted_at=now - timedelta(days=2),
        last_submitted_at=now - timedelta(days=2),
    )
    assert [row.username for row in cohort.grid(inactive_days=7).inactive] == ["quiet"]
    assert [row.username for row in cohort.grid(inactive_days=1).inactive] == ["ada", "quiet"]


def test_it_builds_the_grid_in_a_fixed_number_of_queries(cohort, exercise, module):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            cohort.grid()
        return len(queries)

    small = count_queries()
    for index in range(5):
        learner = make_user(f"l{index}")
        cohort.enroll(learner)
        other, _, _ = exchange.save(
            exchange.read_data("x.yaml", {**CODE_EXERCISE, "slug": f"ex-{index}"}), module, by=None
        )
        other.published = True
        other.save()
        now = timezone.now()
        ExerciseProgress.objects.create(
            learner=learner, exercise=other, attempts=1, first_submitted_at=now, last_submitted_at=now
        )
    assert count_queries() == small


def test_it_reports_attempts_success_and_mistakes_for_one_exercise(graded, cohort, exercise):
    report = cohort.exercise_report(exercise)
    assert (report.attempted, report.solved, report.success_rate) == (1, 1, 1.0)
    assert report.attempts_to_solve == [2] and report.median_time is not None
    assert ("3x2", 1) in report.failing_cases  # the other cohort's learner is not counted
    assert report.attempts_histogram() == [("2", 1, 1.0)]


def test_it_recomputes_progress_from_graded_submissions(graded, learner, exercise):
    ExerciseProgress.objects.filter(learner=learner).update(attempts=7, best_score=0.1, solved_at=None)
    ExerciseProgress.refresh(learner.pk, exercise.pk)
    progress = ExerciseProgress.objects.get(learner=learner, exercise=exercise)
    assert progress.attempts == 2 and progress.best_score == 1.0 and progress.solved_at == graded[1].finished_at


def test_it_rotates_the_invite_code(cohort):
    old = cohort.invite_code
    cohort.new_invite()
    assert cohort.invite_code != old and len(cohort.invite_code) >= 10


def test_it_runs_again_a_validation_a_dead_worker_left_running(exercise, instructor):
    from datetime import timedelta

    from django.utils import timezone

    from teaching.models import ValidationRun

    run = ValidationRun.objects.create(version=exercise.current_version, requested_by=instructor)
    assert ValidationRun.claim(run.pk) is not None
    an_hour_ago = timezone.now() - timedelta(hours=1)
    ValidationRun.objects.filter(pk=run.pk).update(started_at=an_hour_ago, created_at=an_hour_ago)
    assert ValidationRun.requeue_lost() == 1  # eager in tests: run again at once
    run.refresh_from_db()
    assert run.status == "done" and run.reference_ok and run.claims == 2


def test_it_follows_each_modules_completion_day_by_day(cohort, exercise, learner, module):
    from exercises.models import Exercise

    quiet = make_user("quiet")
    cohort.enroll(quiet)
    today = timezone.now()
    second, _, _ = exchange.save(
        exchange.read_data("x.yaml", {**CODE_EXERCISE, "slug": "col-means-2"}), module, by=None
    )
    Exercise.objects.filter(pk=second.pk).update(published=True)
    for days_ago, which in ((2, exercise), (0, second)):
        at = today - timedelta(days=days_ago)
        ExerciseProgress.objects.create(
            learner=learner,
            exercise=which,
            attempts=1,
            best_score=1.0,
            first_submitted_at=at,
            last_submitted_at=at,
            solved_at=at,
        )
    history = cohort.completion_over_time()
    assert history.learners == 2 and len(history.days) == 3
    ((title, series),) = history.modules
    assert title == "Basics" and series == [0.25, 0.25, 0.5]  # 2 exercises × 2 learners = 4 slots


def test_it_follows_the_cohorts_own_learners_and_selection_in_the_completion_chart(
    cohort, other_cohort, exercise, learner, other_learner, module
):
    from exercises.models import Exercise

    second, _, _ = exchange.save(
        exchange.read_data("x.yaml", {**CODE_EXERCISE, "slug": "col-means-2"}), module, by=None
    )
    Exercise.objects.filter(pk=second.pk).update(published=True)
    yesterday = timezone.now() - timedelta(days=1)
    for who, which in ((learner, exercise), (learner, second), (other_learner, exercise)):
        ExerciseProgress.objects.create(
            learner=who,
            exercise=which,
            attempts=1,
            best_score=1.0,
            first_submitted_at=yesterday,
            last_submitted_at=yesterday,
            solved_at=yesterday,
        )
    ((_, series),) = cohort.completion_over_time().modules
    assert series == [1.0, 1.0]  # both exercises, its one learner
    ((_, series),) = other_cohort.completion_over_time().modules
    assert series == [0.5, 0.5]  # the other cohort's learner solved one of two
    other_cohort.select([second])
    assert (
        other_cohort.completion_over_time().days == []
    )  # its selection: the second exercise, which bob has not solved
    cohort.select([exercise])
    ((_, series),) = cohort.completion_over_time().modules
    assert series == [1.0, 1.0]  # one slot, solved; the exercise outside the selection is not counted
