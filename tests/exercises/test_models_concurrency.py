"""Quiz steps a learner can send twice at once (a double click, two tabs): each takes effect
once. Threads with their own database connections, as two web processes would have; on
PostgreSQL (CI) this is a real race, on SQLite writes are serialised anyway."""

import threading

import pytest
from django.db import connection

from exercises.models import Exercise, Module, QuizAttempt, Submission

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(function, times: int = 2) -> list:
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(function())
        except Exception as exc:  # collected and re-raised by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_it_starts_one_quiz_attempt_on_a_double_click(course, learner):
    module = Module.objects.get(slug="activations")
    attempts = at_once(lambda: QuizAttempt.start(learner, module), times=3)
    assert len({attempt.pk for attempt in attempts}) == 1
    assert QuizAttempt.objects.filter(learner=learner).count() == 1


def test_it_saves_one_answer_to_a_question_answered_twice_at_once(course, learner):
    attempt = QuizAttempt.start(learner, Module.objects.get(slug="activations"))
    question = Exercise.objects.get(slug="sigmoid-zero")
    submissions = at_once(lambda: attempt.answer(question, "0.5"), times=3)
    assert sum(submission is not None for submission in submissions) == 1
    assert Submission.objects.filter(quiz_attempt=attempt, exercise=question).count() == 1


def test_it_takes_a_new_answer_after_one_that_could_not_be_graded(course, learner):
    attempt = QuizAttempt.start(learner, Module.objects.get(slug="activations"))
    question = Exercise.objects.get(slug="sigmoid-zero")
    first = attempt.answer(question, "0.5")
    Submission.objects.filter(pk=first.pk).update(status=Submission.Status.ERROR)
    assert attempt.answer(question, "0.5") is not None
    assert attempt.answer(question, "0.5") is None
