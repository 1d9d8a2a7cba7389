"""The cohort dashboard and its side reports, on progress rows written directly (the grading
that keeps them is tested in tests/exercises): sorting, filtering, paging, the cells of an
opened module, what needs attention, and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exercises.models import Exercise, ExerciseProgress, Module, ModuleProgress
from teaching import reports
from teaching.models import Cohort
from tests.conftest import make_user


@pytest.fixture
def course(db):
    """Two modules of two published exercises each, and an unpublished one."""
    exercises = {}
    for m, slug in enumerate(("vectors", "gradients"), start=1):
        module = Module.objects.create(slug=slug, title=slug.title(), order=m)
        for n in (1, 2):
            exercise = Exercise.objects.create(
                module=module, slug=f"{slug}-{n}", title=f"{slug.title()} {n}", kind="code", order=n, published=True
            )
            exercise.add_version("A statement.", {}, live=True)
            exercises[exercise.slug] = exercise
    exercises["draft"] = Exercise.objects.create(module=module, slug="draft", title="Draft", kind="code", order=9)
    return exercises


@pytest.fixture
def cohort(course, instructor):
    cohort = Cohort.objects.create(name="Spring")
    cohort.instructors.add(instructor)
    return cohort


def work(learner, exercise, *, attempts=1, best=0.0, days_ago=1):
    """A learner's progress on an exercise (solved when the best score is 1)."""
    at = timezone.now() - timedelta(days=days_ago)
    ExerciseProgress.objects.create(
        learner=learner, exercise=exercise, attempts=attempts, best_score=best, first_submitted_at=at,
        last_submitted_at=at, solved_at=at if best == 1.0 else None,
    )  # fmt: skip


def rebuild():
    for module in Module.objects.all():
        ModuleProgress.rebuild(module.pk)


@pytest.fixture
def learners(cohort, course):
    """ann solved everything; ben is stuck on vectors-2 and half-way on gradients-1; cid has
    not started; dee tried vectors-1 long ago."""
    ann, ben, cid, dee = (make_user(name) for name in ("ann", "ben", "cid", "dee"))
    for learner in (ann, ben, cid, dee):
        cohort.enroll(learner)
    cohort.enrollments.update(joined_at=timezone.now() - timedelta(days=60))
    for slug in ("vectors-1", "vectors-2", "gradients-1", "gradients-2"):
        work(ann, course[slug], best=1.0)
    work(ben, course["vectors-1"], best=1.0)
    work(ben, course["vectors-2"], attempts=4, best=0.25)
    work(ben, course["gradients-1"], attempts=2, best=0.5)
    work(dee, course["vectors-1"], attempts=2, best=0.75, days_ago=30)
    rebuild()
    return {"ann": ann, "ben": ben, "cid": cid, "dee": dee}


def board(cohort, **query) -> reports.Dashboard:
    return cohort.dashboard(reports.DashboardFilter.from_query({key: str(value) for key, value in query.items()}))


def names(dashboard) -> list[str]:
    return [row.username for row in dashboard.rows]


def test_it_sorts_learners_by_name_solved_score_activity_and_any_column(cohort, learners):
    assert names(board(cohort)) == ["ann", "ben", "cid", "dee"]
    assert names(board(cohort, order="desc")) == ["dee", "cid", "ben", "ann"]
    assert names(board(cohort, sort="solved", order="desc")) == ["ann", "ben", "dee", "cid"]
    assert names(board(cohort, sort="score", order="asc")) == ["cid", "dee", "ben", "ann"]
    assert names(board(cohort, sort="active", order="desc"))[2:] == ["dee", "cid"]  # by the last work, else joining
    # A column: who has not started it comes last whichever the direction.
    assert names(board(cohort, sort="module:gradients", order="desc")) == ["ann", "ben", "cid", "dee"]
    assert names(board(cohort, sort="module:gradients", order="asc")) == ["ben", "ann", "cid", "dee"]
    assert names(board(cohort, module="vectors", sort="exercise:vectors-1", order="asc")) == [
        "dee",
        "ann",
        "ben",
        "cid",
    ]
    # A column of a module that is not open, or nonsense, falls back to names.
    assert names(board(cohort, sort="exercise:vectors-1")) == ["ann", "ben", "cid", "dee"]
    assert names(board(cohort, sort="'; drop table")) == ["ann", "ben", "cid", "dee"]


def test_it_filters_stuck_inactive_not_started_and_finished_learners(cohort, learners):
    assert names(board(cohort, status="struggling")) == ["ben"]
    assert names(board(cohort, status="not-started")) == ["cid"]
    assert names(board(cohort, status="done")) == ["ann"]
    assert names(board(cohort, status="inactive", days=7)) == ["cid", "dee"]
    assert names(board(cohort, status="inactive", days=90)) == []
    assert names(board(cohort, status="everyone-else")) == ["ann", "ben", "cid", "dee"]  # unknown: everyone
    dashboard = board(cohort, status="struggling")
    assert (dashboard.matching, dashboard.total_learners) == (1, 4)
    assert [(row.username, row.stuck) for row in dashboard.stuck_learners] == [("ben", 1)]


def test_it_groups_columns_by_module_and_opens_one_into_its_exercises(cohort, learners):
    dashboard = board(cohort)
    assert [column.key for column in dashboard.columns] == [
        "module:vectors",
        "module:gradients",
    ]  # the draft is not counted
    ben = dashboard.rows[1]
    assert [(cell.score, cell.solved, cell.attempted) for cell in ben.cells] == [(0.625, 1, 2), (0.25, 0, 1)]
    assert ben.cells[1].intensity == 2 and ben.cells[1].label == "average best score 25%, 0 of 2 solved"
    opened = board(cohort, module="gradients")
    keys = [column.key for column in opened.columns]
    assert keys == ["module:vectors", "exercise:gradients-1", "exercise:gradients-2"]
    ben = opened.rows[1]
    assert ben.cells[1].label == "best score 50%, 2 attempts, not solved yet"
    assert ben.cells[2].score is None and ben.cells[2].intensity == -1 and ben.cells[2].label == "not started"
    modules = {row["slug"]: row for row in opened.modules}
    assert modules["vectors"]["completion"] == pytest.approx(3 / 8) and modules["gradients"][
        "completion"
    ] == pytest.approx(2 / 8)


def test_it_pages_learners_and_keeps_the_page_in_range(cohort, course, monkeypatch):
    monkeypatch.setattr(reports, "PAGE_SIZE", 2)
    for n in range(5):
        cohort.enroll(make_user(f"learner{n}"))
    first, last = board(cohort), board(cohort, page=3)
    assert first.pages == 3 and names(first) == ["learner0", "learner1"] and first.has_next and not first.has_previous
    assert names(last) == ["learner4"] and last.has_previous and not last.has_next
    assert names(board(cohort, page=99)) == ["learner4"]  # past the end: the last page
    assert names(board(cohort, page="-1")) == ["learner0", "learner1"]


def test_it_builds_every_view_of_the_dashboard_in_a_fixed_number_of_queries(cohort, course, learners):
    views = [{}, {"module": "vectors"}, {"sort": "module:vectors"}, {"module": "vectors", "sort": "exercise:vectors-2"}]

    def counts():
        found = []
        for query in views:
            with CaptureQueriesContext(connection) as queries:
                board(cohort, **query)
            found.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            cohort.hardest()
        return [*found, len(queries)]

    before = counts()
    for n in range(6):
        learner = make_user(f"more{n}")
        cohort.enroll(learner)
        for slug in ("vectors-1", "vectors-2", "gradients-2"):
            work(learner, course[slug], attempts=n + 1, best=n / 5)
    rebuild()
    assert counts() == before


def test_it_names_the_exercises_most_learners_have_not_solved(cohort, course, learners, other_learner):
    work(other_learner, course["gradients-2"], attempts=9)  # not in this cohort: not counted
    rows = cohort.hardest()
    assert [(row["slug"], row["unsolved"], row["tried"]) for row in rows] == [
        ("gradients-1", 1, 2),
        ("vectors-1", 1, 3),
        ("vectors-2", 1, 2),
    ]
    cohort.select([course["gradients-1"]])
    assert [row["slug"] for row in cohort.hardest()] == ["gradients-1"]  # the cohort's own selection only


def test_it_follows_a_cohorts_own_selection_on_the_dashboard(cohort, course, learners):
    cohort.select([course["gradients-2"], course["vectors-2"]])
    dashboard = board(cohort)
    assert dashboard.exercises == 2
    assert [column.key for column in dashboard.columns] == ["module:vectors", "module:gradients"]
    assert names(board(cohort, status="done")) == ["ann"]
    ben = dashboard.rows[1]
    assert [(cell.score, cell.solved) for cell in ben.cells] == [(0.25, 0), (None, 0)]
    assert names(board(cohort, sort="module:vectors", order="asc")) == ["ben", "ann", "cid", "dee"]
    assert names(board(cohort, status="struggling")) == ["ben"]
    assert names(board(cohort, module="vectors", sort="exercise:vectors-2", order="desc")) == [
        "ann",
        "ben",
        "cid",
        "dee",
    ]


def test_it_builds_a_gradebook_of_module_and_quiz_scores_in_percent(cohort, course, learners, other_learner):
    from exercises.models import QuizAttempt

    vectors = Module.objects.get(slug="vectors")
    vectors.quiz_title = "Vectors check"
    vectors.save()
    Exercise.objects.create(
        module=vectors, slug="vectors-quiz", title="Quiz 1", kind="choice", in_quiz=True, published=True
    )
    done = timezone.now()
    QuizAttempt.objects.create(learner=learners["ben"], module=vectors, number=1, score=0.5, finished_at=done)
    QuizAttempt.objects.create(learner=learners["ben"], module=vectors, number=2, score=0.8, finished_at=done)
    QuizAttempt.objects.create(learner=learners["ann"], module=vectors, number=1)  # not finished: no score
    QuizAttempt.objects.create(
        learner=other_learner, module=vectors, number=1, score=1.0, finished_at=done
    )  # not in the cohort
    columns, rows = cohort.gradebook()
    assert columns == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Vectors",
        "Gradients",
        "Vectors check (quiz)",
    ]
    assert rows[0] == ["Points Possible", "", "", "", "", 100, 100, 100]
    by_name = {row[0]: row[5:] for row in rows[1:]}
    assert by_name == {
        "ann": [100.0, 100.0, ""],
        "ben": [62.5, 25.0, 80.0],
        "cid": [0.0, 0.0, ""],
        "dee": [37.5, 0.0, ""],
    }
    assert rows[1][3:5] == ["ann", "Spring"]
