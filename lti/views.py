"""LTI 1.3 endpoints: OIDC login initiation, the launch (resource links and Deep Linking), the
JWKS, a configuration for Canvas, and the instructors' page of an LMS course."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from lti_tool.lti_core.constants import AgsScope
from lti_tool.utils import DjangoToolConfig, get_launch_from_request
from lti_tool.views import LtiLaunchBaseView, OIDCLoginInitView
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoOIDCLogin
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from exercises.models import Module

from .access import course_link_for
from .models import SCORE_MAXIMUM, TARGET_PARAM, CourseLink, Outcome, Placement, account_for, teaches
from .tasks import sync_roster_task

DEEP_LINK_SALT = "lti.deep-link"
DEEP_LINK_MAX_AGE = 3600
MAX_STATE_LENGTH = 200  # pylti1p3's own states are "state-" and a UUID


class LoginInitView(OIDCLoginInitView):
    """OIDC login initiation, answered with a plain redirect to the platform.

    django-lti's view answers with a JavaScript page that checks whether cookies work in an
    iframe; this tool opens in a new window (docs/lti.md), where they always do.
    """

    def get_oidc_response(self, request, registration_uuid, params):
        target_link_uri = params.get("target_link_uri")
        if not target_link_uri:
            return HttpResponseBadRequest("Missing target_link_uri parameter.")
        oidc_login = DjangoOIDCLogin(
            request, DjangoToolConfig(registration_uuid), launch_data_storage=DjangoCacheDataStorage()
        )
        try:
            return oidc_login.redirect(self.get_redirect_url(target_link_uri))
        except (LtiException, OIDCException) as exc:  # pylti1p3 raises both, from unrelated bases
            return HttpResponseBadRequest(f"This LMS is not registered with the tool: {exc}")


class WindowResource(DeepLinkResource):
    """A resource link the LMS opens in a new window: the course's pages refuse to be framed."""

    def to_dict(self):
        return {**super().to_dict(), "window": {"targetName": "_blank"}}


def _enter(request, lti_launch):
    """Log the LMS user in (making their account on first sight) and put them in the course's cohort."""
    user = account_for(lti_launch.user)
    link = CourseLink.for_context(lti_launch.context)
    membership = lti_launch.membership
    link.add_member(user, membership)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return user, link, membership


@method_decorator(xframe_options_exempt, name="dispatch")  # the Deep Linking picker opens in the LMS's dialog
class LaunchView(LtiLaunchBaseView):
    def post(self, request, *args, **kwargs):
        # pylti1p3 builds cache keys from the state as sent: an oversized one never reaches the cache.
        if len(request.POST.get("state", "")) > MAX_STATE_LENGTH:
            return render(request, "lti/refused.html", {"reason": "The launch's state is malformed."}, status=400)
        try:
            return super().post(request, *args, **kwargs)
        except (LtiException, OIDCException) as exc:
            return render(request, "lti/refused.html", {"reason": str(exc)}, status=400)

    def handle_resource_launch(self, request, lti_launch):
        user, link, membership = _enter(request, lti_launch)
        lineitem = (lti_launch.ags_claim or {}).get("lineitem", "")
        placement = Placement.for_launch(lti_launch.resource_link, lti_launch.get_custom_claim(TARGET_PARAM), lineitem)
        if teaches(membership):
            if link.roster_is_stale and link.context.memberships_url:
                transaction.on_commit(lambda: sync_roster_task.delay(link.pk))
            messages.info(
                request,
                f"Roster and grade passback of this LMS course: {request.build_absolute_uri(link.get_absolute_url())}",
            )
            if placement is None:
                return redirect(link)
        elif placement is not None:
            Outcome.for_launch(placement, user, lti_launch.user)
        if placement is None:
            messages.warning(
                request, "This LMS link does not point at anything in the course; here is the course instead."
            )
            return redirect("home")
        return redirect(placement.get_absolute_url())

    def handle_deep_linking_launch(self, request, lti_launch):
        _user, link, membership = _enter(request, lti_launch)
        if not teaches(membership):
            return HttpResponseForbidden("Only the LMS course's instructors can place the course's content in it.")
        dl_settings = lti_launch.get_claim("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings") or {}
        context = {
            "course": link,
            "modules": Module.objects.prefetch_related("exercises"),
            "multiple": str(dl_settings.get("accept_multiple", True)).lower() != "false",
            # The picker's answer carries the launch, signed, instead of relying on cookies an
            # LMS's iframe may not send.
            "launch": signing.dumps(lti_launch.get_launch_id(), salt=DEEP_LINK_SALT),
        }
        return render(request, "lti/deep_link.html", context)


@csrf_exempt  # the signed launch id is what proves the request comes from the picker
@xframe_options_exempt
@require_POST
def deep_link_select(request):
    """The instructor's pick, sent back to the LMS as signed content items."""
    try:
        launch_id = signing.loads(request.POST.get("launch", ""), salt=DEEP_LINK_SALT, max_age=DEEP_LINK_MAX_AGE)
        lti_launch = get_launch_from_request(request, launch_id)
    except (signing.BadSignature, LtiException):
        return HttpResponseBadRequest("This selection has expired; start again from the LMS.")
    if lti_launch.get_launch_data() is None or not lti_launch.is_deep_link_launch or not teaches(lti_launch.membership):
        return HttpResponseForbidden("Only the LMS course's instructors can place the course's content in it.")
    dl_settings = lti_launch.get_claim("https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings") or {}
    targets = [target for target in request.POST.getlist("target") if Placement.resolve(target)]
    if not targets:
        return HttpResponseBadRequest("Pick at least one module, quiz or exercise.")
    if str(dl_settings.get("accept_multiple", True)).lower() == "false":
        targets = targets[:1]
    launch_url = request.build_absolute_uri(reverse("lti:launch"))
    resources = []
    for target in targets:
        placement = Placement(**Placement.resolve(target))
        resources.append(
            WindowResource()
            .set_url(launch_url)
            .set_title(placement.title)
            .set_custom_params({TARGET_PARAM: target})
            .set_lineitem(
                LineItem()
                .set_label(placement.title)
                .set_score_maximum(SCORE_MAXIMUM)
                .set_resource_id(target)
                .set_tag("mlcourse")
            )
        )
    return lti_launch.deep_link_response(resources)


@require_GET
def canvas_config(request):
    """The JSON a Canvas admin pastes (or points at) when making an LTI 1.3 developer key."""
    url = request.build_absolute_uri
    launch = url(reverse("lti:launch"))
    return JsonResponse(
        {
            "title": "Mathematics for Machine Learning",
            "description": "Auto-graded exercises and quizzes; scores flow back to the gradebook.",
            "oidc_initiation_url": url(reverse("lti:init")),
            "target_link_uri": launch,
            "public_jwk_url": url(reverse("lti:jwks")),
            "scopes": [scope.value for scope in AgsScope]
            + ["https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"],
            "extensions": [
                {
                    "platform": "canvas.instructure.com",
                    "privacy_level": "public",
                    "settings": {
                        "placements": [
                            {"placement": placement, "message_type": "LtiDeepLinkingRequest", "target_link_uri": launch}
                            for placement in ("assignment_selection", "link_selection")
                        ]
                    },
                }
            ],
        }
    )


@login_required
@require_GET
def course_detail(request, pk):
    link = course_link_for(request.user, pk)
    placements = (
        Placement.objects.filter(resource_link__context=link.context)
        .select_related("module", "exercise", "resource_link")
        .annotate(
            sent=Count("outcomes", filter=Q(outcomes__state=Outcome.State.SENT)),
            pending=Count("outcomes", filter=Q(outcomes__state=Outcome.State.PENDING)),
            failing=Count("outcomes", filter=Q(outcomes__state=Outcome.State.PENDING) & ~Q(outcomes__last_error="")),
        )
        .order_by("created_at")
    )
    failures = (
        Outcome.objects.failing()
        .filter(placement__resource_link__context=link.context)
        .select_related("learner", "placement__module", "placement__exercise")[:20]
    )
    return render(request, "lti/course.html", {"course": link, "placements": placements, "failures": failures})


@login_required
@require_POST
def course_sync_roster(request, pk):
    link = course_link_for(request.user, pk)
    transaction.on_commit(lambda: sync_roster_task.delay(link.pk))
    messages.info(request, "Reading the roster from the LMS; reload in a moment.")
    return redirect(link)
