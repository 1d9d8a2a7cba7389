"""Who may see what: one helper per object type, used by every view.

A learner sees published course content and their own submissions; an instructor sees
unpublished exercises too and the submissions of learners in the cohorts they teach (a
superuser sees everything). Anything else is a 404, so that a guessed id does not even reveal
that the object exists.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404
from django.shortcuts import get_object_or_404

from teaching.models import Cohort, Enrollment, Regrade, ValidationRun

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
    """Whether `user` is an instructor of a cohort the learner is enrolled in."""
    if not is_instructor(user):
        return False
    if user.is_superuser:
        return True
    return Enrollment.objects.filter(learner_id=learner_id, cohort__instructors=user).exists()


def submission_for(user, pk: int) -> Submission:
    submission = get_object_or_404(Submission.objects.select_related("exercise", "version", "learner"), pk=pk)
    if submission.learner_id == user.pk or teaches(user, submission.learner_id):
        return submission
    raise Http404("No such submission.")


def instructor_required(user) -> None:
    """Teaching pages do not exist for anyone but instructors."""
    if not is_instructor(user):
        raise Http404("No such page.")


def authoring_exercise_for(user, slug: str) -> Exercise:
    """Any exercise, published or not, for an instructor to edit, validate or export."""
    instructor_required(user)
    return get_object_or_404(Exercise.objects.select_related("module", "current_version"), slug=slug)


def cohort_for(user, pk: int):
    return get_object_or_404(Cohort.objects.taught_by(user), pk=pk)


def cohort_learner_for(user, cohort, learner_id: int) -> User:
    """A learner enrolled in a cohort that `user` teaches (`cohort` comes from cohort_for)."""
    return get_object_or_404(User.objects.filter(enrollments__cohort=cohort), pk=learner_id)


def validation_run_for(user, pk: int):
    instructor_required(user)
    return get_object_or_404(ValidationRun.objects.select_related("version__exercise"), pk=pk)


def regrade_for(user, pk: int):
    return get_object_or_404(
        Regrade.objects.select_related("exercise", "cohort", "version"), pk=pk, cohort__in=Cohort.objects.taught_by(user)
    )


def quiz_attempt_for(user, pk: int) -> QuizAttempt:
    return get_object_or_404(QuizAttempt.objects.select_related("module"), pk=pk, learner=user)
