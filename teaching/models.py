from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from exercises.models import AuditEvent, Exercise, ExerciseVersion, Module, Regrading, Submission
from grader import engine
from grader.results import GradingResult
from grader.sandbox import SandboxError, WireError

from . import reports, variants


def new_invite_code() -> str:
    return secrets.token_urlsafe(9)


class CohortQuerySet(models.QuerySet):
    def taught_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(instructors=user)


class Cohort(models.Model):
    """A run of the course: the instructors who teach it and the learners enrolled in it."""

    name = models.CharField(max_length=200)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="taught_cohorts")
    learners = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Enrollment", related_name="cohorts")
    invite_code = models.CharField(max_length=32, unique=True, default=new_invite_code)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("teaching:cohort", args=[self.pk])

    def get_join_url(self):
        return reverse("teaching:join", args=[self.invite_code])

    def enroll(self, learner) -> Enrollment:
        enrollment, _ = Enrollment.objects.get_or_create(cohort=self, learner=learner)
        return enrollment

    def new_invite(self) -> None:
        """Replace the invite code: links already shared stop working."""
        self.invite_code = new_invite_code()
        self.save(update_fields=["invite_code"])

    def exercises(self):
        """The problem-set exercises the cohort's reports cover: its selection in its order, or
        else every published one in course order."""
        published = Exercise.objects.published().problem_set()
        if self.selections.exists():
            return published.filter(selections__cohort=self).order_by("module__order", "selections__position")
        return published.order_by("module__order", "order", "slug")

    def select(self, exercises: list[Exercise]) -> None:
        """Make `exercises`, in this order, the cohort's selection (an empty list: no selection)."""
        with transaction.atomic():
            self.selections.all().delete()
            Selection.objects.bulk_create(
                Selection(cohort=self, exercise=exercise, position=n) for n, exercise in enumerate(exercises, start=1)
            )

    def grid(self, *, inactive_days: int = 7, now: datetime | None = None) -> reports.CohortGrid:
        return reports.grid(self, inactive_days=inactive_days, now=now)

    def dashboard(self, wanted: reports.DashboardFilter) -> reports.Dashboard:
        return reports.dashboard(self, wanted)

    def hardest(self) -> list[dict]:
        return reports.hardest(self)

    def gradebook(self) -> tuple[list[str], list[list]]:
        return reports.gradebook(self)

    def exercise_report(self, exercise: Exercise) -> reports.ExerciseReport:
        return reports.exercise_report(self, exercise)

    def completion_over_time(self) -> reports.CompletionHistory:
        return reports.completion_over_time(self)


class Deadline(models.Model):
    """When a cohort's work on a module (its problem set, or its quiz) is due, and what happens
    to work that comes later: accepted and flagged, or refused. Learners see it on the module's
    pages; `Module.deadline_for` (exercises) reads it through the `deadlines` relations."""

    class LatePolicy(models.TextChoices):
        FLAG = "flag", "accepted, flagged as late"
        REFUSE = "refuse", "not accepted"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="deadlines")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="deadlines")
    quiz = models.BooleanField(default=False)  # the module's quiz rather than its problem set
    due_at = models.DateTimeField()
    late_policy = models.CharField(max_length=8, choices=LatePolicy.choices, default=LatePolicy.FLAG)

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["cohort", "module", "quiz"], name="one_deadline_per_part")]

    def __str__(self):
        return f"{self.cohort}: {self.module.title}{' quiz' if self.quiz else ''} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_past(self) -> bool:
        return timezone.now() > self.due_at


class Selection(models.Model):
    """A cohort's own choice of exercises, in its own order: when a cohort has one, its reports
    cover those exercises and its learners' problem sets show them in that order."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="selections")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="selections")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["cohort", "position"]
        constraints = [models.UniqueConstraint(fields=["cohort", "exercise"], name="one_selection_per_exercise")]

    def __str__(self):
        return f"{self.cohort}: {self.exercise.slug} at {self.position}"


class Enrollment(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrollments")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "learner__username"]
        constraints = [models.UniqueConstraint(fields=["cohort", "learner"], name="unique_enrollment")]

    def __str__(self):
        return f"{self.learner} in {self.cohort}"


class ValidationRunQuerySet(models.QuerySet):
    def lease_expired(self, now=None):
        """Running for longer than a validation may take: the worker that claimed it died."""
        now = now or timezone.now()
        return self.filter(status=ValidationRun.Status.RUNNING, started_at__lt=now - ValidationRun.LEASE)

    def queued_since(self, seconds: float, now=None):
        return self.filter(
            status=ValidationRun.Status.QUEUED, created_at__lt=(now or timezone.now()) - timedelta(seconds=seconds)
        )


class ValidationRun(models.Model):
    """One press of "Validate": every check of an exercise version, run in the sandbox."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    version = models.ForeignKey(ExerciseVersion, on_delete=models.CASCADE, related_name="validation_runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    checks = models.JSONField(default=list)
    reference_ok = models.BooleanField(default=False)
    variants_caught = models.PositiveIntegerField(default=0)
    variants_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    claims = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ValidationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"validation of {self.version} ({self.status})"

    def get_absolute_url(self):
        return reverse("teaching:validation", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status != self.Status.DONE

    @classmethod
    def start(cls, version: ExerciseVersion, user) -> ValidationRun:
        from .tasks import validate_version

        run = cls.objects.create(version=version, requested_by=user)
        transaction.on_commit(lambda: validate_version.delay(run.pk))
        return run

    # Every check of a version, each within the grading limits: a validation takes minutes at most.
    LEASE = timedelta(minutes=10)
    MAX_CLAIMS = 3

    @classmethod
    def claim(cls, pk: int) -> ValidationRun | None:
        claimed = cls.objects.filter(pk=pk, status=cls.Status.QUEUED).update(
            status=cls.Status.RUNNING, started_at=timezone.now(), claims=models.F("claims") + 1
        )
        if claimed != 1:
            return None
        return cls.objects.select_related("version__exercise").get(pk=pk)

    @classmethod
    def requeue_lost(cls) -> int:
        """Runs a dead worker left running go back to the queue, and queued runs whose message
        was lost are sent again (a second message for the same run finds it claimed). A run
        that stopped workers three times ends with a message instead of looping."""
        from .tasks import validate_version

        cls.objects.lease_expired().update(status=cls.Status.QUEUED)
        resent = 0
        for run in cls.objects.queued_since(settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]):
            if run.claims >= cls.MAX_CLAIMS:
                run._finish([], reference_ok=False, message="Validating this version stopped the grader repeatedly.")
                continue
            validate_version.delay(run.pk)
            resent += 1
        return resent

    def perform(self) -> None:
        """Reference (must pass), starter and mutants (must fail), then the automatic wrong
        variants of the reference; a broken exercise is a result here, never an exception."""
        version = self.version
        kind = version.exercise.kind
        runs_code = version.exercise.answer_kind.prepares_cases
        checks: list[dict] = []
        try:
            cases = version.prepared_cases() if runs_code else None
        except (SandboxError, WireError) as exc:
            result = GradingResult.platform_error(f"The reference could not be run on the cases: {exc}")
            checks.append(_check_row("reference", True, result, automatic=False))
            self._finish(checks, reference_ok=False, message=str(exc))
            return
        for check in engine.validate(kind, version.spec, cases):
            checks.append(_check_row(check.name, check.should_pass, check.result, automatic=False))
        if runs_code:
            for variant in variants.wrong_variants(version.spec, cases, version.statement):
                result = engine.grade(kind, version.spec, variant.source, cases=cases)
                checks.append(_check_row(f"wrong variant: {variant.name}", False, result, automatic=True))
        reference = next((c for c in checks if c["should_pass"]), None)
        self._finish(checks, reference_ok=bool(reference and reference["ok"]))

    def _finish(self, checks: list[dict], *, reference_ok: bool, message: str = "") -> None:
        automatic = [check for check in checks if check["automatic"]]
        self.checks = checks
        self.reference_ok = reference_ok
        self.variants_total = len(automatic)
        self.variants_caught = sum(check["ok"] for check in automatic)
        self.message = message
        self.status = self.Status.DONE
        self.finished_at = timezone.now()
        self.save()
        problems = self.gate_problems()
        detail = f"version {self.version.number}: " + (
            "passes the publish gate" if not problems else "; ".join(problems)
        )
        AuditEvent.record(
            AuditEvent.Action.VALIDATED,
            actor=self.requested_by,
            exercise=self.version.exercise,
            version=self.version,
            detail=detail,
        )

    @property
    def all_ok(self) -> bool:
        return self.status == self.Status.DONE and all(check["ok"] for check in self.checks if not check["automatic"])

    def gate_problems(self) -> list[str]:
        """Why this version may not be published: the reference must pass, the starter must fail,
        and every listed mutant and mistake must be caught. Empty when it may."""
        if self.status != self.Status.DONE:
            return ["its validation has not finished"]
        problems = []
        for check in self.checks:
            if check["automatic"] or check["ok"]:
                continue
            if check["should_pass"]:
                problems.append(f"{check['name']} does not pass")
            elif check["name"].startswith("starter"):
                problems.append("the starter already passes: learners would score by submitting it")
            else:
                problems.append(f"{check['name']} is not caught")
        return problems


def _check_row(name: str, should_pass: bool, result: GradingResult, *, automatic: bool) -> dict:
    ok = result.status == "graded" and result.correct == should_pass
    failed_cases = [case.name for case in result.cases if not case.passed]
    return {
        "name": name,
        "should_pass": should_pass,
        "automatic": automatic,
        "ok": ok,
        "status": result.status,
        "score": result.score,
        "message": result.message,
        "failed_cases": failed_cases[:10],
        "traceback": (result.details.get("traceback") or "")[-2000:],
    }


class Regrade(models.Model):
    """A cohort's submissions of one exercise graded again against a version. Each becomes a
    Regrading appended to its submission: the submission's own verdict stays as it was."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="regrades")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ExerciseVersion, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    regradings = models.ManyToManyField(Regrading, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"regrade of {self.exercise} for {self.cohort}"

    def get_absolute_url(self):
        return reverse("teaching:regrade", args=[self.pk])

    @staticmethod
    def candidates(cohort: Cohort, exercise: Exercise):
        """Finished submissions of the cohort's learners not yet graded against the current
        version (neither originally nor by a regrade, finished or under way)."""
        current = exercise.current_version_id
        return (
            Submission.objects.filter(exercise=exercise, learner__enrollments__cohort=cohort)
            .exclude(version=current)
            .exclude(regradings__version=current)
            .exclude(status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING])
        )

    @classmethod
    def start(cls, cohort: Cohort, exercise: Exercise, user) -> Regrade:
        with transaction.atomic():
            regrade = cls.objects.create(
                cohort=cohort, exercise=exercise, version=exercise.current_version, requested_by=user
            )
            regradings = Regrading.objects.bulk_create(
                Regrading(submission_id=pk, version=regrade.version, requested_by=user)
                for pk in cls.candidates(cohort, exercise).values_list("pk", flat=True).distinct()
            )
            regrade.regradings.set(regradings)
            AuditEvent.record(
                AuditEvent.Action.REGRADED, actor=user, exercise=exercise, version=regrade.version,
                detail=f"{len(regradings)} submission(s) of {cohort.name} against version {regrade.version.number}",
            )  # fmt: skip
            # Sent to the backlog lane: a regrade must not hold up learners' Submits.
            transaction.on_commit(lambda: [regrading.dispatch() for regrading in regradings])
        return regrade

    def progress(self) -> dict:
        counts = dict(self.regradings.values_list("status").annotate(n=Count("id")))
        total = sum(counts.values())
        done = counts.get(Submission.Status.GRADED, 0) + counts.get(Submission.Status.ERROR, 0)
        return {
            "total": total,
            "done": done,
            "errors": counts.get(Submission.Status.ERROR, 0),
            "changed": self.regradings.filter(changed=True).count(),
            "share": done / total if total else 1.0,
            "finished": done == total,
        }
