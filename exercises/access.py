"""Who may see what, on the learners' side: one helper per object type, used by every view.

A learner sees published course content and their own submissions and quiz attempts; an
instructor sees unpublished exercises too and the submissions of learners in the cohorts they
teach (a superuser sees everything). Anything else is a 404, so that a guessed id does not even
reveal that the object exists. The instructors' own helpers are in teaching/access.py.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Exercise, Module, QuizAttempt, Submission

INSTRUCTORS_GROUP = "instructors"
MAX_ID = 2**63 - 1  # the largest primary key a BigAutoField holds


def positive_int(raw: str | None) -> int | None:
    """An id or a count typed into a query string, or None: ASCII digits only (`str.isdigit` accepts
    "²", which `int` refuses) and within the database's range."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def is_instructor(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_instructor", None)
    if cached is None:
        cached = user._is_instructor = user.groups.filter(name=INSTRUCTORS_GROUP).exists()
    return cached


def module_for(user, slug: str) -> Module:
    return get_object_or_404(Module.objects.select_related("lesson"), slug=slug)


def exercise_for(user, slug: str) -> Exercise:
    exercises = Exercise.objects.select_related("module", "current_version").filter(current_version__isnull=False)
    if not is_instructor(user):
        exercises = exercises.filter(published=True)
    return get_object_or_404(exercises, slug=slug)


def teaches(user, learner_id: int) -> bool:
    """Whether `user` is an instructor of a cohort the learner is enrolled in (the cohorts are
    the teaching app's; they are reached through the user's relations, not imported)."""
    if not is_instructor(user):
        return False
    if user.is_superuser:
        return True
    return User.objects.filter(pk=learner_id, enrollments__cohort__instructors=user).exists()


def submission_for(user, pk: int) -> Submission:
    submission = get_object_or_404(Submission.objects.select_related("exercise", "version", "learner"), pk=pk)
    if submission.learner_id == user.pk or teaches(user, submission.learner_id):
        return submission
    raise Http404("No such submission.")


def quiz_attempt_for(user, pk: int) -> QuizAttempt:
    return get_object_or_404(QuizAttempt.objects.select_related("module"), pk=pk, learner=user)
