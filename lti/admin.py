"""Admin for the course side of LTI; platforms, deployments and keys are django-lti's admin."""

from django.contrib import admin
from django.utils import timezone

from .models import CourseLink, Outcome, Placement


@admin.register(CourseLink)
class CourseLinkAdmin(admin.ModelAdmin):
    list_display = ("context", "cohort", "roster_synced_at", "roster_message")
    readonly_fields = ("context", "cohort", "roster_synced_at", "roster_message", "created_at")


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ("resource_link", "kind", "module", "exercise", "lineitem_url")
    list_filter = ("kind",)
    raw_id_fields = ("resource_link", "module", "exercise")


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ("learner", "placement", "state", "score", "sent_score", "attempts", "next_attempt_at", "last_error")
    list_filter = ("state",)
    search_fields = ("learner__username", "last_error")
    raw_id_fields = ("placement", "learner", "lti_user")
    actions = ["retry_now"]

    @admin.action(description="Send the selected scores again now")
    def retry_now(self, request, queryset):
        now = timezone.now()
        count = queryset.exclude(score=None).update(state=Outcome.State.PENDING, next_attempt_at=now, leased_until=None)
        self.message_user(request, f"{count} score(s) will be sent at the next passback run.")
