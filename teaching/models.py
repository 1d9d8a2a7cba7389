from __future__ import annotations

import secrets
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from exercises.models import AuditEvent, Exercise, ExerciseProgress, ExerciseVersion, Module, Regrading, Submission
from grader import engine
from grader.results import GradingResult
from grader.sandbox import SandboxError, WireError

from . import variants


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

    def grid(self, *, inactive_days: int = 7, now: datetime | None = None) -> CohortGrid:
        """Learners × published problem-set exercises, in a fixed number of queries."""
        now = now or timezone.now()
        learners = list(
            self.enrollments.order_by("learner__username").values_list("learner_id", "learner__username", "joined_at")
        )
        modules = list(Module.objects.all())
        exercises = list(
            Exercise.objects.published().problem_set().order_by("module__order", "order", "slug").values_list("id", "slug", "title", "module_id")
        )
        cells = {
            (learner_id, exercise_id): (attempts, best, solved_at, last)
            for learner_id, exercise_id, attempts, best, solved_at, last in ExerciseProgress.objects.filter(
                learner__enrollments__cohort=self, exercise__published=True, exercise__in_quiz=False
            ).values_list("learner_id", "exercise_id", "attempts", "best_score", "solved_at", "last_submitted_at")
        }
        grid = CohortGrid(cohort=self, inactive_days=inactive_days)
        module_titles = {module.pk: module.title for module in modules}
        grid.exercises = [GridExercise(pk, slug, title, module_titles[module_id]) for pk, slug, title, module_id in exercises]
        per_module = defaultdict(lambda: {"exercises": 0, "solved": 0, "score": 0.0})
        for exercise in exercises:
            per_module[exercise[3]]["exercises"] += 1
        last_active = {}
        module_of = {pk: module_id for pk, _slug, _title, module_id in exercises}
        for (learner_id, exercise_id), (_attempts, best, solved_at, last) in cells.items():
            last_active[learner_id] = max(last_active.get(learner_id, last), last)
            stats = per_module[module_of[exercise_id]]
            stats["solved"] += solved_at is not None
            stats["score"] += best
        for learner_id, username, joined_at in learners:
            row = GridRow(learner_id=learner_id, username=username, last_active=last_active.get(learner_id))
            for pk, *_ in exercises:
                cell = cells.get((learner_id, pk))
                row.cells.append(cell)
                if cell and cell[2] is not None:
                    row.solved += 1
                elif cell:
                    row.attempted += 1
            grid.rows.append(row)
            if (row.last_active or joined_at) < now - timedelta(days=inactive_days):
                grid.inactive.append(row)
        learners_count = len(learners)
        for module in modules:
            stats = per_module.get(module.pk)
            if not stats or not stats["exercises"]:
                continue
            slots = stats["exercises"] * learners_count or 1
            grid.modules.append(
                ModuleSummary(module.title, stats["exercises"], stats["solved"] / slots, stats["score"] / slots)
            )
        return grid

    def completion_over_time(self) -> CompletionHistory:
        """Each module's completion (solved learner × exercise slots of its published problem
        set, over the cohort's present learners) at the end of every day since the first
        solve, from the progress rows' solve times: two queries."""
        learners = self.enrollments.count()
        modules = {module.pk: module.title for module in Module.objects.all()}
        totals = Counter(Exercise.objects.published().problem_set().values_list("module_id", flat=True))
        solves = ExerciseProgress.objects.solved().filter(
            learner__enrollments__cohort=self, exercise__published=True, exercise__in_quiz=False
        ).values_list("exercise__module_id", "solved_at")
        by_module = defaultdict(list)
        for module_id, solved_at in solves:
            by_module[module_id].append(timezone.localdate(solved_at))
        history = CompletionHistory(learners=learners)
        if not by_module or not learners:
            return history
        first, last = min(min(days) for days in by_module.values()), timezone.localdate()
        history.days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        for module_id, title in modules.items():
            slots = totals.get(module_id, 0) * learners
            if not slots:
                continue
            per_day = Counter(by_module.get(module_id, []))
            running, series = 0, []
            for day in history.days:
                running += per_day.get(day, 0)
                series.append(running / slots)
            history.modules.append((title, series))
        return history

    def exercise_report(self, exercise: Exercise) -> ExerciseReport:
        """How the cohort fares on one exercise, from its submissions' grading results."""
        report = ExerciseReport(exercise=exercise, learners=self.enrollments.count())
        submissions = (
            Submission.objects.counted()
            .filter(exercise=exercise, learner__enrollments__cohort=self, quiz_attempt__isnull=True)
            .exclude(status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING])
            .order_by("submitted_at", "pk")
            .values_list("learner_id", "submitted_at", "finished_at", "correct", "feedback", "diagnoses", "score")
        )
        by_learner = defaultdict(list)
        for row in submissions:
            by_learner[row[0]].append(row)
        failing = defaultdict(set)
        mistakes = defaultdict(set)
        for learner_id, rows in by_learner.items():
            report.attempted += 1
            first_correct = next((index for index, row in enumerate(rows) if row[3]), None)
            if first_correct is not None:
                report.solved += 1
                report.attempts_to_solve.append(first_correct + 1)
                report.times_to_solve.append((rows[first_correct][2] or rows[first_correct][1]) - rows[0][1])
            else:
                report.attempts_unsolved.append(len(rows))
            report.best_scores.append(max((row[6] or 0.0) for row in rows))
            for _learner, _at, _finished, _correct, feedback, diagnoses, _score in rows:
                for case in (feedback or {}).get("cases", []):
                    if not case.get("passed"):
                        failing[case.get("name", "?")].add(learner_id)
                    if case.get("diagnosis"):
                        mistakes[case["diagnosis"]].add(learner_id)
                for tag in diagnoses or []:
                    mistakes[tag].add(learner_id)
        report.failing_cases = Counter({name: len(ids) for name, ids in failing.items()}).most_common(10)
        report.mistakes = Counter({tag: len(ids) for tag, ids in mistakes.items()}).most_common(10)
        return report


class Enrollment(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrollments")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "learner__username"]
        constraints = [models.UniqueConstraint(fields=["cohort", "learner"], name="unique_enrollment")]

    def __str__(self):
        return f"{self.learner} in {self.cohort}"


@dataclass
class GridExercise:
    pk: int
    slug: str
    title: str
    module: str


@dataclass
class GridRow:
    learner_id: int
    username: str
    last_active: datetime | None
    cells: list = field(default_factory=list)  # (attempts, best score, solved_at, last) or None
    solved: int = 0
    attempted: int = 0


@dataclass
class ModuleSummary:
    title: str
    exercises: int
    completion: float
    average_score: float


@dataclass
class CohortGrid:
    cohort: Cohort
    inactive_days: int
    exercises: list[GridExercise] = field(default_factory=list)
    rows: list[GridRow] = field(default_factory=list)
    modules: list[ModuleSummary] = field(default_factory=list)
    inactive: list[GridRow] = field(default_factory=list)


@dataclass
class CompletionHistory:
    learners: int
    days: list = field(default_factory=list)  # dates
    modules: list[tuple[str, list[float]]] = field(default_factory=list)  # (title, completion on each day)


@dataclass
class ExerciseReport:
    exercise: Exercise
    learners: int
    attempted: int = 0
    solved: int = 0
    attempts_to_solve: list[int] = field(default_factory=list)
    attempts_unsolved: list[int] = field(default_factory=list)  # attempts so far of who has not solved it
    best_scores: list[float] = field(default_factory=list)  # one per learner who tried
    times_to_solve: list[timedelta] = field(default_factory=list)
    failing_cases: list[tuple[str, int]] = field(default_factory=list)
    mistakes: list[tuple[str, int]] = field(default_factory=list)

    @property
    def success_rate(self) -> float | None:
        return self.solved / self.attempted if self.attempted else None

    @property
    def median_attempts(self) -> float | None:
        return statistics.median(self.attempts_to_solve) if self.attempts_to_solve else None

    @property
    def median_time(self) -> timedelta | None:
        return statistics.median(self.times_to_solve) if self.times_to_solve else None

    def attempts_histogram(self) -> list[tuple[str, int, float]]:
        """(label, learners, share of the tallest bar) for 1, 2, ..., 9, 10+ attempts."""
        counts = Counter(min(n, 10) for n in self.attempts_to_solve)
        top = max(counts.values(), default=1)
        return [(f"{n}+" if n == 10 else str(n), counts[n], counts[n] / top) for n in range(1, 11) if counts[n]]


class ValidationRunQuerySet(models.QuerySet):
    def lease_expired(self, now=None):
        """Running for longer than a validation may take: the worker that claimed it died."""
        now = now or timezone.now()
        return self.filter(status=ValidationRun.Status.RUNNING, started_at__lt=now - ValidationRun.LEASE)

    def queued_since(self, seconds: float, now=None):
        return self.filter(status=ValidationRun.Status.QUEUED, created_at__lt=(now or timezone.now()) - timedelta(seconds=seconds))


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
        checks: list[dict] = []
        try:
            cases = version.prepared_cases() if kind == Exercise.Kind.CODE else None
        except (SandboxError, WireError) as exc:
            result = GradingResult.platform_error(f"The reference could not be run on the cases: {exc}")
            checks.append(_check_row("reference", True, result, automatic=False))
            self._finish(checks, reference_ok=False, message=str(exc))
            return
        for check in engine.validate(kind, version.spec, cases):
            checks.append(_check_row(check.name, check.should_pass, check.result, automatic=False))
        if kind == Exercise.Kind.CODE:
            for variant in variants.wrong_variants(version.spec, cases):
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
        detail = f"version {self.version.number}: " + ("passes the publish gate" if not problems else "; ".join(problems))
        AuditEvent.record(
            AuditEvent.Action.VALIDATED, actor=self.requested_by, exercise=self.version.exercise, version=self.version, detail=detail
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
            regrade = cls.objects.create(cohort=cohort, exercise=exercise, version=exercise.current_version, requested_by=user)
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
