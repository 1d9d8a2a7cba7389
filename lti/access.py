"""Who may see what in this app (the course's own objects: exercises/access.py)."""

from django.shortcuts import get_object_or_404

from teaching.models import Cohort

from .models import CourseLink


def course_link_for(user, pk: int) -> CourseLink:
    """An LMS course whose cohort the user teaches; anything else is a 404."""
    return get_object_or_404(
        CourseLink.objects.select_related("cohort", "context__deployment__registration"),
        pk=pk,
        cohort__in=Cohort.objects.taught_by(user),
    )
