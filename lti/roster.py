"""The LMS roster (Names and Role Provisioning Services) as the course's cohort."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from .models import CourseLink, account_for, teaches
from .services import PlatformError, fetch_roster


@dataclass
class RosterResult:
    learners: int = 0
    instructors: int = 0
    error: str = ""

    @property
    def message(self) -> str:
        if self.error:
            return f"Could not read the roster: {self.error}"
        return f"Roster read: {self.learners} learner(s) enrolled, {self.instructors} instructor(s)."


def sync_roster(link: CourseLink) -> RosterResult:
    """Read the LMS course's members; give every active one an account, enroll the learners in
    the cohort and make the instructors its instructors. Nobody is removed: leaving the LMS
    course does not delete anyone's work here."""
    context = link.context
    try:
        members = fetch_roster(context)
    except PlatformError as exc:
        result = RosterResult(error=str(exc))
    else:
        # NRPS makes `status` optional (absent means Active); django-lti expects it.
        context.update_memberships(
            [{"status": "Active", "roles": [], **member} for member in members if member.get("user_id")]
        )
        result = RosterResult()
        for membership in context.memberships.filter(is_active=True).select_related(
            "user__registration", "user__auth_user"
        ):
            user = account_for(membership.user)
            link.add_member(user, membership)
            if teaches(membership):
                result.instructors += 1
            elif membership.is_learner:
                result.learners += 1
    link.roster_synced_at = timezone.now()
    link.roster_message = result.message
    link.save(update_fields=["roster_synced_at", "roster_message"])
    return result
