"""Calls from the tool to an LMS (OAuth2 client credentials, then AGS and NRPS), through
pylti1p3, with a timeout on every request so that a platform that hangs cannot hold a worker."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC

import requests
from django.conf import settings
from lti_tool.lti_core.constants import AgsScope
from lti_tool.models import LtiContext
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from .models import SCORE_MAXIMUM, Outcome


class PlatformError(Exception):
    """The LMS could not be reached or refused the call; the message says which and why."""


class TimeoutSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", settings.LTI_HTTP_TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


def _connector(context: LtiContext) -> ServiceConnector:
    session = TimeoutSession()
    session.headers["User-Agent"] = "mlcourse-lti"
    return ServiceConnector(context.deployment.registration.to_registration(), requests_session=session)


@contextmanager
def _calling(what: str):
    """Every way a call to the LMS can fail becomes a PlatformError with a readable message."""
    try:
        yield
    except LtiServiceException as exc:
        response = exc.response
        raise PlatformError(f"{what}: the LMS answered {response.status_code} {response.text[:500]}") from exc
    except requests.RequestException as exc:
        raise PlatformError(f"{what}: the LMS could not be reached ({type(exc).__name__}: {exc})") from exc
    except (LtiException, KeyError, ValueError, TypeError) as exc:  # a malformed answer or a missing scope
        raise PlatformError(f"{what}: {type(exc).__name__}: {exc}") from exc


def _ags(context: LtiContext, lineitem_url: str) -> AssignmentsGradesService:
    scopes = [
        scope
        for scope, allowed in (
            (AgsScope.PUBLISH_SCORES, context.can_publish_scores),
            (AgsScope.MANAGE_LINEITEMS, context.can_manage_lineitems),
            (AgsScope.QUERY_LINEITEMS, context.can_query_lineitems),
            (AgsScope.ACCESS_RESULTS, context.can_access_results),
        )
        if allowed
    ]
    data = {"scope": [str(scope.value) for scope in scopes], "lineitems": context.lineitems_url}
    if lineitem_url:
        data["lineitem"] = lineitem_url
    return AssignmentsGradesService(_connector(context), data)


def send_score(outcome: Outcome) -> None:
    """POST the outcome's score to its gradebook column (finding or making the column first
    if the LMS did not give one at launch); PlatformError if that fails."""
    placement = outcome.placement
    context = placement.resource_link.context
    if not context.can_publish_scores:
        raise PlatformError(
            "The LMS did not grant this course the score scope (Assignment and Grade Services are off)."
        )
    with _calling("grade passback"):
        ags = _ags(context, placement.lineitem_url)
        if not placement.lineitem_url:
            wanted = (
                LineItem()
                .set_label(placement.title)
                .set_score_maximum(SCORE_MAXIMUM)
                .set_resource_id(placement.target)
                .set_resource_link_id(placement.resource_link.id_on_platform)
                .set_tag("mlcourse")
            )
            found = ags.find_or_create_lineitem(wanted, find_by="resource_link_id")
            placement.lineitem_url = found.get_id()
            placement.save(update_fields=["lineitem_url"])
            ags = _ags(context, placement.lineitem_url)
        grade = (
            Grade()
            .set_score_given(round(outcome.score * SCORE_MAXIMUM, 4))
            .set_score_maximum(SCORE_MAXIMUM)
            .set_timestamp(outcome.scored_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"))
            .set_activity_progress("Completed" if outcome.completed else "Submitted")
            .set_grading_progress("FullyGraded")
            .set_user_id(outcome.lti_user.sub)
        )
        ags.put_grade(grade)


def fetch_roster(context: LtiContext) -> list[dict]:
    """Every member of the LMS course (all pages), from Names and Role Provisioning Services."""
    if not context.memberships_url:
        raise PlatformError(
            "The LMS did not offer this course's roster (Names and Role Provisioning Services are off)."
        )
    with _calling("roster"):
        service = NamesRolesProvisioningService(
            _connector(context), {"context_memberships_url": context.memberships_url}
        )
        return list(service.get_members())
