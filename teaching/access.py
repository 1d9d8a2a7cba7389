"""Who may see and change what, on the instructors' side: one helper per object type.

Teaching pages do not exist for anyone but instructors (a 404). Any instructor may view and
copy any exercise; only its owner, co-authors and superusers may change it (a 403 that says so).
Cohorts and what is in them are visible to the cohort's instructors only (a 404).
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from exercises.access import is_instructor
from exercises.models import Exercise, Module

from .models import Cohort, Regrade, ValidationRun


def instructor_required(user) -> None:
    if not is_instructor(user):
        raise Http404("No such page.")


def authoring_exercise_for(user, slug: str) -> Exercise:
    """Any exercise, published or not, for an instructor to view, validate, copy or export."""
    instructor_required(user)
    return get_object_or_404(
        Exercise.objects.select_related("module", "current_version", "draft_version", "owner"), slug=slug
    )


def changeable_exercise_for(user, slug: str) -> Exercise:
    """An exercise `user` may change: edit, publish, unpublish, share, roll back."""
    exercise = authoring_exercise_for(user, slug)
    if not exercise.can_change(user):
        owner = exercise.owner.username if exercise.owner else "the course files"
        raise PermissionDenied(f"{exercise.title} belongs to {owner}: you can view and copy it, but not change it.")
    return exercise


def changeable_module_for(user, slug: str) -> Module:
    instructor_required(user)
    module = get_object_or_404(Module, slug=slug)
    if not module.can_change(user):
        raise PermissionDenied(f"{module.title} is not yours to change: you can view and copy its exercises.")
    return module


def cohort_for(user, pk: int) -> Cohort:
    return get_object_or_404(Cohort.objects.taught_by(user), pk=pk)


def cohort_learner_for(user, cohort, learner_id: int) -> User:
    """A learner enrolled in a cohort that `user` teaches (`cohort` comes from cohort_for)."""
    return get_object_or_404(User.objects.filter(enrollments__cohort=cohort), pk=learner_id)


def validation_run_for(user, pk: int) -> ValidationRun:
    instructor_required(user)
    return get_object_or_404(ValidationRun.objects.select_related("version__exercise"), pk=pk)


def regrade_for(user, pk: int) -> Regrade:
    return get_object_or_404(
        Regrade.objects.select_related("exercise", "cohort", "version"),
        pk=pk,
        cohort__in=Cohort.objects.taught_by(user),
    )
