from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.models import Exercise, ExerciseProgress, ExerciseVersion, QuizAttempt, Submission
from grader.results import GradingResult
from tests.conftest import SIGMOID_RIGHT, SIGMOID_WRONG

pytestmark = pytest.mark.django_db


def test_it_adds_a_version_only_when_content_changes(course):
    exercise = Exercise.objects.get(slug="sigmoid")
    first = exercise.current_version
    assert exercise.add_version(first.statement, first.spec) == first
    changed = exercise.add_version(first.statement + "\nMore.", first.spec)
    assert changed.number == first.number + 1
    # The exercise is published: the new version is a draft until it is published.
    reloaded = Exercise.objects.get(slug="sigmoid")
    assert reloaded.current_version == first and reloaded.draft_version == changed
    assert ExerciseVersion.objects.filter(exercise=exercise).count() == 2
    reloaded.publish(changed, by=None)
    assert Exercise.objects.get(slug="sigmoid").current_version == changed


def test_it_versions_the_title_and_applies_it_when_the_version_goes_live(course):
    exercise = Exercise.objects.get(slug="sigmoid")
    first = exercise.current_version
    renamed = exercise.add_version(first.statement, first.spec, {**first.metadata, "title": "Squash"}, live=True)
    assert renamed.number == 2 and Exercise.objects.get(slug="sigmoid").title == "Squash"


def test_it_keeps_the_version_a_submission_was_graded_against(course, learner, submit):
    submission = submit(learner, "sigmoid", SIGMOID_RIGHT)
    exercise = submission.exercise
    exercise.add_version("A new statement.", exercise.current_version.spec, live=True)
    submission.refresh_from_db()
    assert submission.version.number == 1
    assert exercise.current_version.number == 2


def test_it_grades_a_correct_answer_and_records_progress(course, learner, submit):
    submission = submit(learner, "sigmoid", SIGMOID_RIGHT)
    assert submission.status == Submission.Status.GRADED
    assert submission.correct and submission.score == 1.0
    assert submission.started_at and submission.finished_at
    progress = ExerciseProgress.objects.get(learner=learner, exercise__slug="sigmoid")
    assert progress.attempts == 1 and progress.solved_at is not None


def test_it_scores_a_wrong_answer_per_case(course, learner, submit):
    submission = submit(learner, "sigmoid", SIGMOID_WRONG)
    assert submission.status == Submission.Status.GRADED
    assert not submission.correct
    cases = submission.result.cases
    assert [case.name for case in cases] == ["zero", "a few values", "large logits"]
    assert cases[0].passed  # sigma(0) = 0.5 either way
    assert not cases[1].passed and "entries differ" in cases[1].message
    assert submission.score == pytest.approx(1 / 3)


def test_it_claims_a_submission_only_once(course, learner):
    exercise = Exercise.objects.get(slug="sigmoid")
    submission = Submission.objects.create(
        learner=learner, exercise=exercise, version=exercise.current_version, answer="x"
    )
    assert Submission.claim(submission.pk) is not None
    assert Submission.claim(submission.pk) is None


def test_it_gives_back_a_claim_whose_lease_expired_and_drops_the_late_verdict(course, learner):
    exercise = Exercise.objects.get(slug="sigmoid")
    submission = Submission.objects.create(
        learner=learner, exercise=exercise, version=exercise.current_version, answer="x"
    )
    first = Submission.claim(submission.pk)
    Submission.objects.filter(pk=submission.pk).update(started_at=timezone.now() - timedelta(hours=1))
    assert list(Submission.objects.lease_expired()) == [submission]
    assert first.release()
    second = Submission.claim(submission.pk)
    assert second is not None and second.claims == 2 and second.claim_token != first.claim_token
    assert not first.record(GradingResult.rejected("late"))  # the dead worker's grading no longer owns it
    assert second.record(GradingResult.rejected("on time"))
    submission.refresh_from_db()
    assert submission.feedback["message"] == "on time"


def test_it_marks_a_submission_that_keeps_killing_workers_as_a_platform_error(course, learner):
    exercise = Exercise.objects.get(slug="sigmoid")
    submission = Submission.objects.create(
        learner=learner,
        exercise=exercise,
        version=exercise.current_version,
        answer=SIGMOID_RIGHT,
        claims=Submission.MAX_CLAIMS + 1,
        status=Submission.Status.RUNNING,
    )
    submission.grade()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ERROR
    assert not ExerciseProgress.objects.filter(learner=learner).exists()  # never counts against them


def test_it_limits_pending_submissions_per_learner(course, learner):
    exercise = Exercise.objects.get(slug="sigmoid")
    for _ in range(Submission.MAX_PENDING_PER_LEARNER):
        Submission.objects.create(learner=learner, exercise=exercise, version=exercise.current_version, answer="x")
    with pytest.raises(Submission.TooManyPending):
        Submission.submit(learner, exercise, SIGMOID_RIGHT)


def test_it_scores_a_quiz_attempt_when_every_question_is_graded(course, learner, submit):
    attempt = QuizAttempt.start(learner, Exercise.objects.get(slug="relu-choice").module)
    submit(learner, "relu-choice", "[0]", quiz_attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.finished_at is None
    submit(learner, "sigmoid-zero", "0.7", quiz_attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.finished_at is not None
    assert attempt.score == pytest.approx(1 / 3)  # 1 of 3 points: the numeric question is worth 2


def test_it_stops_quiz_attempts_at_the_limit(course, learner):
    module = Exercise.objects.get(slug="relu-choice").module
    for _ in range(module.quiz_max_attempts):
        attempt = QuizAttempt.start(learner, module)
        assert QuizAttempt.start(learner, module) == attempt  # the open attempt is resumed
        QuizAttempt.objects.filter(pk=attempt.pk).update(finished_at=timezone.now(), score=0)
    assert QuizAttempt.start(learner, module) is None


RIDGE_CODE = """
import numpy as np

def ridge_gradient(X, y, w, lam):
    return 2 * X.T @ (X @ w - y) + 2 * lam * w
"""


def test_it_checks_gradient_code_against_the_learners_own_latest_derivation(learner, other_learner, submit):
    from exercises.content import CONTENT_ROOT, sync_course
    from grader.gradcheck import DERIVATION_CASE

    sync_course(CONTENT_ROOT, only={"regularization"})
    derivation = submit(learner, "ridge-gradient-matrix", "2X^T(Xw - y) + 2 lam w")
    assert derivation.correct

    code = submit(learner, "ridge-gradient", RIDGE_CODE)
    assert code.correct and code.context["derivation"]["answer"] == "2X^T(Xw - y) + 2 lam w"
    last = code.result.cases[-1]
    assert last.name == DERIVATION_CASE and last.passed and "agree on all" in last.message

    submit(learner, "ridge-gradient-matrix", "2X^T(Xw - y) + lam w")  # a later, wrong derivation
    again = submit(learner, "ridge-gradient", RIDGE_CODE)
    assert again.correct and not again.result.cases[-1].passed
    assert "revisit the derivation" in again.result.cases[-1].message

    alone = submit(other_learner, "ridge-gradient", RIDGE_CODE)
    assert alone.correct and "derivation" not in alone.context
    assert all(case.name != DERIVATION_CASE for case in alone.result.cases)
