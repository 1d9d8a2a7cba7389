from __future__ import annotations

import hashlib
import json
import logging
import random
import secrets
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone

from grader import engine, kinds, plots, sandbox
from grader.limits import SYMBOLIC_MAX_CHARS
from grader.results import GradingResult
from grader.sandbox import wire
from grader.symbolic import params

from . import push

log = logging.getLogger(__name__)


class Authored(models.Model):
    """Who may change a module or an exercise: its owner and co-authors (and superusers).
    Without an owner it belongs to the course's files, which only superusers change from the
    browser; any instructor may view and copy either."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    coauthors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        abstract = True

    def can_change(self, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        if user.is_superuser:
            return True
        return self.owner_id is not None and (self.owner_id == user.pk or self.coauthors.filter(pk=user.pk).exists())


class Module(Authored):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    quiz_title = models.CharField(max_length=200, blank=True)
    quiz_max_attempts = models.PositiveIntegerField(default=3)

    class QuizFeedback(models.TextChoices):
        AT_END = "at-end", "when the attempt closes"
        PER_ANSWER = "per-answer", "after each answer"

    # When a quiz attempt shows which answers were right: by default only once it closes, so
    # that one attempt cannot be copied into the next while it runs.
    quiz_feedback = models.CharField(max_length=16, choices=QuizFeedback.choices, default=QuizFeedback.AT_END)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("module", args=[self.slug])

    # A learner's cohorts (the teaching app) may set deadlines and choose exercises; they are read
    # here through the `deadlines` and `selections` relations the teaching models declare.

    def deadline_for(self, learner, *, quiz: bool = False):
        """The deadline that applies to `learner` here, if any: the latest of their cohorts'."""
        if not getattr(learner, "is_authenticated", False):
            return None
        return self.deadlines.filter(cohort__enrollments__learner=learner, quiz=quiz).order_by("-due_at").first()

    def problem_set_for(self, learner):
        """The published problem set as `learner` sees it: their cohort's selection, in its
        order, when a cohort of theirs has one; else every exercise in course order."""
        exercises = self.exercises.published().problem_set()
        if getattr(learner, "is_authenticated", False):
            chosen = exercises.filter(selections__cohort__enrollments__learner=learner)
            if chosen.exists():
                return chosen.order_by("selections__position").distinct()
        return exercises


class Lesson(models.Model):
    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="lesson")
    body_markdown = models.TextField()
    body_html = models.TextField()  # rendered once at load time: math as MathML, sanitised

    def __str__(self):
        return f"Lesson: {self.module.title}"


class Topic(models.Model):
    """A syllabus topic; ids are stable (exercises/content/syllabus.yaml)."""

    id = models.CharField(primary_key=True, max_length=100)
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="topics")
    what = models.TextField()
    kinds = models.JSONField(default=list)  # the kinds of exercise the topic must have

    class Meta:
        ordering = ["module__order", "id"]

    def __str__(self):
        return self.id


class ExerciseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True, current_version__isnull=False)

    def problem_set(self):
        return self.filter(in_quiz=False)

    def quiz_questions(self):
        return self.filter(in_quiz=True)


class Exercise(Authored):
    """An exercise and its versions. Learners get `current_version` while `published`; an edit
    or import of a published exercise becomes `draft_version`, which learners do not see until
    it validates and an instructor publishes it (`publish`). The title, difficulty, points,
    topics, quiz flag and module are part of each version and follow the current one."""

    class Kind(models.TextChoices):
        CODE = "code", "Code"
        SYMBOLIC = "symbolic", "Symbolic"
        NUMERIC = "numeric", "Numeric"
        CHOICE = "choice", "Multiple choice"

    class Difficulty(models.TextChoices):
        WARM_UP = "warm-up", "Warm-up"
        CORE = "core", "Core"
        CHALLENGE = "challenge", "Challenge"

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="exercises")
    slug = models.SlugField(unique=True, max_length=100)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    difficulty = models.CharField(max_length=16, choices=Difficulty.choices, default=Difficulty.CORE)
    order = models.PositiveIntegerField(default=0)
    points = models.PositiveIntegerField(default=1)
    topics = models.ManyToManyField(Topic, related_name="exercises", blank=True)
    published = models.BooleanField(default=True)
    in_quiz = models.BooleanField(default=False)
    current_version = models.ForeignKey(
        "ExerciseVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draft_version = models.ForeignKey(
        "ExerciseVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_path = models.CharField(max_length=300, blank=True)  # set for exercises loaded from files
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["module__order", "in_quiz", "order", "slug"]

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        return reverse("exercise", args=[self.slug])

    @property
    def spec(self) -> dict:
        return self.current_version.spec

    def context_for(self, learner) -> dict:
        """This learner's variant: parameters drawn from (learner, exercise), the same on every
        visit and across versions; empty for exercises without `params`."""
        params_spec = self.spec.get("params") or {}
        context = self.derivation_context(learner)
        if not params_spec or not getattr(learner, "is_authenticated", False):
            return {**context, "params": params.lowest(params_spec)} if params_spec else context
        return {**context, "params": params.draw(params_spec, f"{learner.pk}:{self.slug}")}

    def derivation_context(self, learner) -> dict:
        """For code that implements a gradient derived in another exercise: the learner's latest
        graded derivation, which grading compares with the code (grader/gradcheck.py)."""
        slug = (self.spec.get("gradient") or {}).get("derivation")
        if not slug or not getattr(learner, "is_authenticated", False):
            return {}
        latest = Submission.objects.of(learner).graded().filter(exercise__slug=slug).select_related("exercise").first()
        if latest is None:
            return {}
        return {"derivation": {"slug": slug, "title": latest.exercise.title, "answer": latest.answer}}

    MAX_PREVIEW_CHARS = SYMBOLIC_MAX_CHARS

    def preview_answer(self, text: str) -> dict:
        """How a typed symbolic answer will be read, with the reading rendered as MathML."""
        return self.read_expression(self.spec, text)

    @classmethod
    def read_expression(cls, spec: dict, text: str) -> dict:
        """How `text` is read under a symbolic spec (its variables, parameters at their lowest)."""
        from exercises.markdown import MathError, render_math
        from grader.symbolic import preview

        if not text.strip():
            return {"ok": False, "empty": True}
        if len(text) > cls.MAX_PREVIEW_CHARS:
            return {"ok": False, "error": {"message": f"The answer is longer than {cls.MAX_PREVIEW_CHARS} characters."}}
        reading = preview(spec, text)
        if reading.get("ok"):
            try:
                reading["mathml"] = render_math(reading["latex"], display=True)
            except MathError:
                reading["mathml"] = None
        return reading

    def unreadable(self, answer: str) -> str:
        """Why a typed answer cannot be read at all ("" when it can, or for other kinds).
        Checked before a quiz question, which is answered once, takes the answer."""
        return self.answer_kind.unreadable(self, answer)

    @property
    def answer_kind(self) -> kinds.AnswerKind:
        """What this exercise's kind of answer does (grader/kinds)."""
        return kinds.get(self.kind)

    @property
    def kind_label(self) -> str:
        return self.answer_kind.label

    @property
    def latest_version(self) -> ExerciseVersion | None:
        """What an author edits next: the draft if there is one, else the current version."""
        return self.draft_version or self.current_version

    def metadata(self) -> dict:
        """The exercise's own fields, as a version records them."""
        return {
            "title": self.title,
            "difficulty": self.difficulty,
            "points": self.points,
            "in_quiz": self.in_quiz,
            "module": self.module.slug,
            "topics": sorted(self.topics.values_list("id", flat=True)) if self.pk else [],
        }

    def add_version(
        self,
        statement: str,
        spec: dict,
        metadata: dict | None = None,
        *,
        author=None,
        message: str = "",
        live: bool = False,
    ) -> ExerciseVersion:
        """Record new content as a new version unless it is identical to the latest one.

        Versions are never edited: past submissions keep the version they were graded against.
        A published exercise's new version is a draft, unless `live` (the course's own files,
        reviewed in git and validated in CI); otherwise it becomes current at once. Without
        `metadata` the exercise's present fields are recorded."""
        metadata = metadata if metadata is not None else self.metadata()
        digest = ExerciseVersion.digest_for(statement, spec, metadata)
        latest = self.latest_version
        if latest and latest.digest == digest:
            if live and latest != self.current_version:
                self.make_current(latest)
            return latest
        number = (self.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ExerciseVersion.objects.create(
            exercise=self, number=number, statement=statement, spec=spec, metadata=metadata, digest=digest,
            author=author, message=message,
        )  # fmt: skip
        if self.published and self.current_version_id and not live:
            self.draft_version = version
            self.save(update_fields=["draft_version", "updated_at"])
        else:
            self.make_current(version)
        return version

    def make_current(self, version: ExerciseVersion) -> None:
        """Learners get `version` from now on; the exercise's fields follow its metadata."""
        metadata = version.metadata or {}
        counted_in = (self.module_id, self.in_quiz)
        self.current_version = version
        if self.draft_version_id and self.draft_version.number <= version.number:
            self.draft_version = None
        for name in ("title", "difficulty", "points", "in_quiz"):
            if name in metadata:
                setattr(self, name, metadata[name])
        if metadata.get("module") and metadata["module"] != self.module.slug:
            self.module = Module.objects.get(slug=metadata["module"])
        self.save()
        if "topics" in metadata:
            self.topics.set(Topic.objects.filter(id__in=metadata["topics"]))
        if self.pk and counted_in != (self.module_id, self.in_quiz) and ModuleProgress.objects.exists():
            for module_id in {counted_in[0], self.module_id}:  # moved, or into or out of the quiz
                ModuleProgress.rebuild(module_id)

    def publish(self, version: ExerciseVersion, *, by, override_reason: str = "") -> None:
        """Make `version` what learners get. The caller has checked the publish gate (teaching's
        ValidationRun) or has an override, whose written reason is kept on the version."""
        with transaction.atomic():
            self.make_current(version)
            self.published = True
            self.save(update_fields=["published", "updated_at"])
            ModuleProgress.rebuild(self.module_id)  # the module's totals now count it
            ExerciseVersion.objects.filter(pk=version.pk).update(
                published_at=timezone.now(), published_by=by, override_reason=override_reason
            )
            detail = f"version {version.number}" + (f"; gate overridden: {override_reason}" if override_reason else "")
            AuditEvent.record(AuditEvent.Action.PUBLISHED, actor=by, exercise=self, version=version, detail=detail)

    def roll_back(self, version: ExerciseVersion, *, by) -> ExerciseVersion:
        """A new version with an old version's content: a draft for a published exercise (it
        goes through the publish gate like any edit), else the current version."""
        with transaction.atomic():
            new = self.add_version(
                version.statement, version.spec, version.metadata or self.metadata(), author=by,
                message=f"rolled back to version {version.number}",
            )  # fmt: skip
            AuditEvent.record(
                AuditEvent.Action.ROLLED_BACK, actor=by, exercise=self, version=new,
                detail=f"version {new.number} has the content of version {version.number}",
            )  # fmt: skip
        return new

    def copy_for(self, user) -> Exercise:
        """A copy of the latest version, owned by `user`, unpublished, with a slug of its own."""
        source = self.latest_version
        base = f"{self.slug}-copy"[:90]
        slug, n = base, 1
        while Exercise.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        with transaction.atomic():
            copy = Exercise.objects.create(
                slug=slug, module=self.module, kind=self.kind, title=self.title, published=False, owner=user,
                order=(self.module.exercises.aggregate(n=Max("order"))["n"] or 0) + 1,
            )  # fmt: skip
            version = copy.add_version(
                source.statement, source.spec, {**(source.metadata or self.metadata()), "title": f"{self.title} (copy)"},
                author=user, message=f"copied from {self.slug} version {source.number}",
            )  # fmt: skip
            AuditEvent.record(
                AuditEvent.Action.COPIED, actor=user, exercise=copy, version=version, detail=f"from {self.slug}"
            )
            AuditEvent.record(AuditEvent.Action.COPIED, actor=user, exercise=self, version=source, detail=f"to {slug}")
        return copy

    def unpublish(self, *, by) -> None:
        with transaction.atomic():
            self.published = False
            self.save(update_fields=["published", "updated_at"])
            ModuleProgress.rebuild(self.module_id)
            AuditEvent.record(AuditEvent.Action.UNPUBLISHED, actor=by, exercise=self, version=self.current_version)


class ExerciseVersion(models.Model):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    statement = models.TextField()  # Markdown with math
    spec = models.JSONField()  # everything kind-specific: reference, cases, compare, answer, ...
    metadata = models.JSONField(default=dict)  # title, difficulty, points, in_quiz, module, topics
    digest = models.CharField(max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=300, blank=True)  # how it came: edited, imported, loaded from a file
    published_at = models.DateTimeField(null=True, blank=True)  # when it became what learners get
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_reason = models.TextField(blank=True)  # published despite a failing gate, and why
    prepared = models.BinaryField(null=True, editable=False)  # cached inputs + reference outputs
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["exercise", "-number"]
        constraints = [models.UniqueConstraint(fields=["exercise", "number"], name="unique_version_number")]

    def __str__(self):
        return f"{self.exercise.slug} v{self.number}"

    @staticmethod
    def digest_for(statement: str, spec: dict, metadata: dict) -> str:
        canonical = json.dumps(
            {"statement": statement, "spec": spec, "metadata": metadata}, sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def is_draft(self) -> bool:
        return self.exercise.draft_version_id == self.pk

    @property
    def seed(self) -> int:
        return int(self.digest[:8], 16)

    def prepared_cases(self) -> list[engine.PreparedCase]:
        """Inputs and reference outputs, generated in the sandbox once per version and cached."""
        if self.prepared is None:
            self.prepare()
        cases = [engine.PreparedCase(**case) for case in wire.loads(bytes(self.prepared))]
        if any(case.format < engine.PREPARED_FORMAT for case in cases):
            self.prepare()  # prepared by an older grader: its values may not mean what they do now
            cases = [engine.PreparedCase(**case) for case in wire.loads(bytes(self.prepared))]
        return cases

    def prepare(self) -> None:
        """Generate the cases and run the reference on them now (and time it, for the learner's
        time budgets); `load_course --prepare` does this ahead of the first Submit."""
        cases = engine.prepare_code_cases(self.spec, self.seed)
        self.prepared = wire.dumps([case.to_wire() for case in cases])
        ExerciseVersion.objects.filter(pk=self.pk).update(prepared=self.prepared)

    @property
    def needs_preparing(self) -> bool:
        """Code whose cases were never prepared, or prepared before the reference was timed."""
        if not self.exercise.answer_kind.prepares_cases:
            return False
        if self.prepared is None:
            return True
        cases = [engine.PreparedCase(**case) for case in wire.loads(bytes(self.prepared))]
        return any(case.reference_cpu is None or case.format < engine.PREPARED_FORMAT for case in cases)

    def time_limit_text(self) -> str:
        """The learner's time budget per case, as the exercise page states it. Read from the
        prepared cases when they exist (never prepared just to show this)."""
        limits = sandbox.limits_for(self.spec.get("limits"))
        if self.prepared is None:
            return f"at most {limits.cpu_seconds:g} s of CPU time per case"
        budgets, _, _ = engine.case_budgets(self.spec, self.prepared_cases())
        low, high = min(b.cpu_seconds for b in budgets), max(b.cpu_seconds for b in budgets)
        span = f"{low:g} s" if low == high else f"{low:g}–{high:g} s"
        return f"{span} of CPU time per case ({settings.GRADING_CPU_FACTOR:g}× the reference solution's time, at least {settings.GRADING_CPU_FLOOR:g} s)"

    def validate(self, context: dict | None = None) -> list[engine.Check]:
        """Run the reference (must pass), the starter and known wrong answers (must fail).

        A parametrised exercise is checked at its lowest and highest parameters."""
        cases = self.prepared_cases() if self.exercise.answer_kind.prepares_cases else None
        params_spec = self.spec.get("params") or {}
        if context is not None or not params_spec:
            return engine.validate(self.exercise.kind, self.spec, cases, context)
        checks = []
        for values in (params.lowest(params_spec), params.highest(params_spec)):
            label = ", ".join(f"{name}={value}" for name, value in values.items())
            for check in engine.validate(self.exercise.kind, self.spec, cases, {"params": values}):
                check.name = f"{check.name} ({label})"
                checks.append(check)
        return checks

    def statement_for(self, context: dict | None) -> str:
        """The statement with this learner's parameters in place of {{name}}."""
        values = (context or {}).get("params")
        return params.substitute(self.statement, values) if values else self.statement

    def grade(self, answer: str, context: dict | None = None) -> GradingResult:
        try:
            cases = self.prepared_cases() if self.exercise.answer_kind.prepares_cases else None
        except (sandbox.SandboxError, sandbox.SandboxUnavailable, wire.WireError) as exc:
            # A broken reference or case generator is the platform's fault, not the learner's.
            log.exception("Could not prepare the cases of %s", self, extra={"version": self.pk})
            return GradingResult.platform_error(f"This exercise's reference could not be prepared: {exc}")
        result = engine.grade(self.exercise.kind, self.spec, answer, cases=cases, context=context)
        if result.status == "error":
            log.error("Platform error grading against %s: %s", self, result.message, extra={"version": self.pk})
        return result


class SubmissionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING])

    def graded(self):
        return self.filter(status=Submission.Status.GRADED)

    def counted(self):
        """Submissions that count for progress: a platform error never counts against a learner."""
        return self.exclude(status=Submission.Status.ERROR)

    def of(self, learner):
        return self.filter(learner=learner)

    def code(self):
        return self.filter(exercise__kind__in=kinds.preparing_cases())

    def held_against_limit(self):
        """Pending submissions that count towards a learner's limit: not those the grader could
        not be reached for (an outage must not lock learners out once it is over)."""
        return self.pending().exclude(status=Submission.Status.QUEUED, dispatch_failed=True)

    def undispatched(self):
        """Queued, and their message never reached the broker."""
        return self.filter(status=Submission.Status.QUEUED, dispatch_failed=True)

    def lease_expired(self, now=None):
        """Running for longer than any run may last: the worker that claimed them died."""
        now = now or timezone.now()
        return self.filter(status=Submission.Status.RUNNING, started_at__lt=now - Submission.lease())

    def queued_since(self, seconds: float, now=None):
        """Queued, and sent (or saved, if never sent) more than `seconds` ago."""
        cut = (now or timezone.now()) - timedelta(seconds=seconds)
        return self.filter(status=Submission.Status.QUEUED).filter(
            Q(dispatched_at__lt=cut) | Q(dispatched_at__isnull=True, submitted_at__lt=cut)
        )


class Submission(models.Model):
    """A learner's answer and its verdict. `score` and `correct` are what counts (a regrade that
    changes the outcome updates them, see Regrading); `feedback`, `diagnoses`, `version` and
    the times are those of the submission's own grading, never rewritten."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        GRADED = "graded", "Graded"
        ERROR = "error", "Could not be graded"

    class Lane(models.TextChoices):
        # The Celery queue a submission waits in (settings.GRADING_QUEUES): see `lane_for`.
        CODE = "code", "Code, first pending"
        BACKLOG = "backlog", "Code, backlog"
        ANSWERS = "answers", "Typed and chosen answers"

    MAX_CLAIMS = 3  # a submission that kills the worker three times is marked as a platform error

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="submissions")
    version = models.ForeignKey(ExerciseVersion, on_delete=models.PROTECT, related_name="submissions")
    quiz_attempt = models.ForeignKey(
        "QuizAttempt", null=True, blank=True, on_delete=models.CASCADE, related_name="submissions"
    )
    answer = models.TextField()
    context = models.JSONField(default=dict, blank=True)  # per-learner parameters, if any
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    lane = models.CharField(max_length=16, choices=Lane.choices, default=Lane.CODE)
    score = models.FloatField(null=True, blank=True)
    correct = models.BooleanField(default=False)
    timed_out = models.BooleanField(default=False)  # a case ran out of time: the next one waits in the backlog
    late = models.BooleanField(default=False)  # submitted after the learner's deadline for the module
    feedback = models.JSONField(default=dict, blank=True)
    diagnoses = models.JSONField(default=list, blank=True)
    failed_cases = models.JSONField(default=list, blank=True)  # names of the cases that failed, for reports
    # What the code returned on the visible cases that have a plot (grader/plots.py), kept so
    # that a plot can be drawn when the page asks for it; never a hidden case's value.
    returned = models.BinaryField(null=True, editable=False)
    claims = models.PositiveSmallIntegerField(default=0)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    dispatch_failed = models.BooleanField(default=False)  # the broker could not be reached at submit time
    dispatches = models.PositiveSmallIntegerField(default=0)  # grading messages sent: more than one is a resend
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["learner", "exercise"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.exercise.slug} by {self.learner}"

    def get_absolute_url(self):
        return reverse("submission", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def result(self) -> GradingResult | None:
        return GradingResult.from_dict(self.feedback) if self.feedback else None

    @staticmethod
    def lease() -> timedelta:
        """How long a claim holds: longer than the longest run the limits allow."""
        return timedelta(seconds=2 * settings.GRADING_WALL_SECONDS_MAX + 10)

    MAX_PENDING_PER_LEARNER = 5

    class TooManyPending(Exception):
        pass

    class PastDeadline(Exception):
        pass

    @classmethod
    def submit(cls, learner, exercise: Exercise, answer: str, *, quiz_attempt=None, context=None) -> Submission:
        """Save the answer first (it is never lost), then queue it for grading after commit.
        Past the learner's deadline for the module, the answer is refused or flagged as late,
        as the deadline says."""
        deadline = exercise.module.deadline_for(learner, quiz=quiz_attempt is not None)
        late = deadline is not None and timezone.now() > deadline.due_at
        if late and deadline.late_policy == "refuse":
            when = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M %Z")
            raise cls.PastDeadline(f"The deadline for this module was {when}; answers are no longer accepted.")
        with transaction.atomic():
            # Lock the learner's row: two Submits at once must not both pass the pending limit.
            get_user_model().objects.select_for_update().filter(pk=learner.pk).exists()
            if cls.objects.of(learner).held_against_limit().count() >= cls.MAX_PENDING_PER_LEARNER:
                raise cls.TooManyPending("Several of your answers are still being graded; wait for them first.")
            submission = cls.objects.create(
                late=late,
                learner=learner,
                exercise=exercise,
                version=exercise.current_version,
                answer=answer,
                quiz_attempt=quiz_attempt,
                context=context if context is not None else exercise.context_for(learner),
                lane=cls.lane_for(learner, exercise, answer),
            )
            submission.enqueue()
        return submission

    @classmethod
    def lane_for(cls, learner, exercise: Exercise, answer: str) -> str:
        """Typed and chosen answers have a lane of their own. Code waits in the backlog when the
        learner already has code pending, or sends again code that ran out of time before."""
        if not exercise.answer_kind.prepares_cases:
            return cls.Lane.ANSWERS
        code = cls.objects.of(learner).code()
        if code.pending().exists() or code.filter(exercise=exercise, timed_out=True, answer=answer).exists():
            return cls.Lane.BACKLOG
        return cls.Lane.CODE

    def enqueue(self) -> None:
        """Queue grading once the surrounding transaction has committed."""
        transaction.on_commit(self.dispatch)

    def dispatch(self) -> bool:
        """Send the grading message. If the broker cannot be reached the answer stays saved and
        queued, and is sent again as soon as it can be (`requeue_lost`)."""
        from kombu.exceptions import OperationalError

        from .tasks import grade_submission

        queue = settings.GRADING_QUEUES[self.lane]
        try:
            grade_submission.apply_async((self.pk,), queue=queue, retry=False)
        except (OperationalError, OSError) as exc:
            log.warning("Could not queue submission %s on %s: %s", self.pk, queue, exc)
            Submission.objects.filter(pk=self.pk, status=self.Status.QUEUED).update(dispatch_failed=True)
            self.dispatch_failed = True
            return False
        Submission.objects.filter(pk=self.pk).update(
            dispatched_at=timezone.now(), dispatch_failed=False, dispatches=F("dispatches") + 1
        )
        self.dispatch_failed = False
        return True

    @classmethod
    def claim(cls, pk: int) -> Submission | None:
        """Atomically take a queued submission for grading; None if someone else has it or it
        is done. The claim's token makes only this grading's result count (see `record`)."""
        token = secrets.token_hex(8)
        claimed = cls.objects.filter(pk=pk, status=cls.Status.QUEUED).update(
            status=cls.Status.RUNNING, started_at=timezone.now(), claims=F("claims") + 1, claim_token=token
        )
        if claimed != 1:
            return None
        return cls.objects.select_related("exercise", "version__exercise", "learner").get(pk=pk)

    def release(self) -> bool:
        """Give an expired claim back to the queue (its worker died); False if it finished meanwhile."""
        return bool(
            Submission.objects.filter(pk=self.pk, status=self.Status.RUNNING, claim_token=self.claim_token).update(
                status=self.Status.QUEUED, claim_token=""
            )
        )

    def grade(self) -> GradingResult:
        if self.claims > self.MAX_CLAIMS:
            result = GradingResult.platform_error("Grading this submission stopped the grader repeatedly.")
        else:
            result = self.version.grade(self.answer, self.context)
        self.record(result)
        return result

    def record(self, result: GradingResult) -> bool:
        """Store the verdict, if this grading still holds the claim (a claim given back after
        its lease expired must not be recorded twice), and tell any waiting page."""
        self.status = self.Status.GRADED if result.status == "graded" else self.Status.ERROR
        self.score = result.score if result.status == "graded" else None
        self.correct = result.correct
        self.timed_out = any(case.stopped == "time" for case in result.cases)
        self.feedback = result.to_dict()
        self.diagnoses = result.diagnoses
        self.failed_cases = result.failed_case_names()
        self.returned = result.returned
        self.finished_at = timezone.now()
        with transaction.atomic():
            owned = Submission.objects.filter(pk=self.pk, status=self.Status.RUNNING, claim_token=self.claim_token)
            fields = [
                "status",
                "score",
                "correct",
                "timed_out",
                "feedback",
                "diagnoses",
                "failed_cases",
                "returned",
                "finished_at",
            ]
            if not owned.update(**{name: getattr(self, name) for name in fields}):
                log.warning("Submission %s: claim lost before its verdict was recorded; dropped.", self.pk)
                return False
            if self.quiz_attempt_id is None:
                ExerciseProgress.refresh(self.learner_id, self.exercise_id)
            transaction.on_commit(lambda: push.announce(self.pk))
        if self.quiz_attempt_id:
            self.quiz_attempt.finish_if_complete()
        return True

    def public_cases(self) -> list[dict]:
        return [case.public() for case in self.result.cases] if self.feedback else []

    def grouped_cases(self) -> list[dict]:
        """The public cases as the page shows them: a traceback repeated on several cases is
        shown once, on the first, with the names of the others (`same_error_on`); each other
        case points back to it (`same_error_as`)."""
        cases = self.public_cases()
        first_with = {}
        for case in cases:
            traceback = case.get("traceback")
            if not traceback:
                continue
            if traceback in first_with:
                first = first_with[traceback]
                first["same_error_on"].append(case["name"])
                case.update(same_error_as=first["name"], traceback=None)
            else:
                case["same_error_on"] = []
                first_with[traceback] = case
        return cases

    @cached_property
    def plotted_cases(self) -> set[int]:
        """Indexes of the cases with a plot: visible cases whose returned value was kept."""
        if not self.returned or not self.exercise.answer_kind.prepares_cases:
            return set()
        try:
            kept = plots.kept_values(self.returned)
        except wire.WireError:
            return set()
        cases = self.result.cases if self.feedback else []
        return {index for index in kept if index < len(cases) and not cases[index].hidden}

    def plot(self, index: int) -> plots.Plot | None:
        """The plot of case `index`, drawn now from the kept values and the version's prepared
        cases; None for a hidden case, a case without a kept value, or one no plot fits."""
        if index not in self.plotted_cases:
            return None
        prepared = self.version.prepared_cases()
        case = prepared[index] if index < len(prepared) else None
        if case is None or case.hidden or case.name != self.result.cases[index].name:
            return None
        return plots.draw(self.version.spec, case, plots.kept_values(self.returned)[index])


class RegradingQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING])

    def lease_expired(self, now=None):
        now = now or timezone.now()
        return self.filter(status=Submission.Status.RUNNING, started_at__lt=now - Submission.lease())

    def queued_since(self, seconds: float, now=None):
        cut = (now or timezone.now()) - timedelta(seconds=seconds)
        return self.filter(status=Submission.Status.QUEUED).filter(
            Q(dispatched_at__lt=cut) | Q(dispatched_at__isnull=True, created_at__lt=cut)
        )


class Regrading(models.Model):
    """Another grading of a submission, against another version of its exercise.

    A regrade appends one of these and never rewrites the submission's own verdict, version or
    times. When its outcome differs from what counted, the submission's counted score and
    correctness follow it (progress is recomputed from them) and the row keeps what counted
    before, so every change can be traced."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="regradings")
    version = models.ForeignKey(ExerciseVersion, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=Submission.Status.choices, default=Submission.Status.QUEUED)
    score = models.FloatField(null=True, blank=True)
    correct = models.BooleanField(default=False)
    feedback = models.JSONField(default=dict, blank=True)
    diagnoses = models.JSONField(default=list, blank=True)
    score_before = models.FloatField(null=True, blank=True)  # the submission's counted score before
    correct_before = models.BooleanField(default=False)
    changed = models.BooleanField(default=False)  # this regrade changed what counts
    claims = models.PositiveSmallIntegerField(default=0)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RegradingQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "created_at", "id"]

    def __str__(self):
        return f"regrading of #{self.submission_id} against v{self.version.number}"

    @property
    def result(self) -> GradingResult | None:
        return GradingResult.from_dict(self.feedback) if self.feedback else None

    @property
    def is_pending(self) -> bool:
        return self.status in (Submission.Status.QUEUED, Submission.Status.RUNNING)

    def dispatch(self) -> bool:
        from kombu.exceptions import OperationalError

        from .tasks import regrade

        try:
            regrade.apply_async((self.pk,), queue=settings.GRADING_QUEUES["backlog"], retry=False)
        except (OperationalError, OSError) as exc:
            log.warning("Could not queue regrading %s: %s", self.pk, exc)
            return False
        Regrading.objects.filter(pk=self.pk).update(dispatched_at=timezone.now())
        return True

    @classmethod
    def claim(cls, pk: int) -> Regrading | None:
        token = secrets.token_hex(8)
        claimed = cls.objects.filter(pk=pk, status=Submission.Status.QUEUED).update(
            status=Submission.Status.RUNNING, started_at=timezone.now(), claims=F("claims") + 1, claim_token=token
        )
        if claimed != 1:
            return None
        return cls.objects.select_related("submission", "version__exercise").get(pk=pk)

    def release(self) -> bool:
        return bool(
            Regrading.objects.filter(pk=self.pk, status=Submission.Status.RUNNING, claim_token=self.claim_token).update(
                status=Submission.Status.QUEUED, claim_token=""
            )
        )

    def grade(self) -> GradingResult:
        if self.claims > Submission.MAX_CLAIMS:
            result = GradingResult.platform_error("Grading this submission stopped the grader repeatedly.")
        else:
            result = self.version.grade(self.submission.answer, self.submission.context)
        self.record(result)
        return result

    def record(self, result: GradingResult) -> bool:
        graded = result.status == "graded"
        with transaction.atomic():
            submission = Submission.objects.select_for_update().get(pk=self.submission_id)
            fields = {
                "status": Submission.Status.GRADED if graded else Submission.Status.ERROR,
                "score": result.score if graded else None,
                "correct": result.correct,
                "feedback": result.to_dict(),
                "diagnoses": result.diagnoses,
                "finished_at": timezone.now(),
                "score_before": submission.score,
                "correct_before": submission.correct,
                "changed": graded and (submission.score != result.score or submission.correct != result.correct),
            }
            owned = Regrading.objects.filter(pk=self.pk, status=Submission.Status.RUNNING, claim_token=self.claim_token)
            if not owned.update(**fields):
                log.warning("Regrading %s: claim lost before its verdict was recorded; dropped.", self.pk)
                return False
            for name, value in fields.items():
                setattr(self, name, value)
            if self.changed:
                Submission.objects.filter(pk=submission.pk).update(score=result.score, correct=result.correct)
                if submission.quiz_attempt_id is None:
                    ExerciseProgress.refresh(submission.learner_id, submission.exercise_id)
        return True


class ExerciseProgressQuerySet(models.QuerySet):
    def solved(self):
        return self.filter(solved_at__isnull=False)


class ExerciseProgress(models.Model):
    """One row per learner and exercise, kept up to date as submissions are graded, so that
    progress pages and reports read a small table instead of aggregating every submission."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="progress")
    attempts = models.PositiveIntegerField(default=0)
    best_score = models.FloatField(default=0)
    first_submitted_at = models.DateTimeField()
    last_submitted_at = models.DateTimeField()
    solved_at = models.DateTimeField(null=True, blank=True)
    # For the analytics of an exercise, kept here so that a report reads a row per learner:
    attempts_to_solve = models.PositiveIntegerField(null=True, blank=True)  # graded answers up to the first correct
    failed_cases = models.JSONField(default=list, blank=True)  # every case the learner failed at least once
    mistakes = models.JSONField(default=list, blank=True)  # every mistake diagnosed in their answers

    objects = ExerciseProgressQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "exercise"], name="unique_progress")]
        # A cohort's counts per exercise (tried, unsolved, solved on which day) read only these
        # three columns of its learners' rows: from this index alone, never the wide rows.
        indexes = [models.Index(fields=["learner", "exercise", "solved_at"], name="progress_learner_solved")]

    def __str__(self):
        return f"{self.learner} on {self.exercise}: best {self.best_score:.0%}"

    @classmethod
    def refresh(cls, learner_id: int, exercise_id: int) -> None:
        """Recompute from the graded submissions, never incremented: a redelivered grading or a
        regrade cannot count an attempt twice. The row is locked first, so two gradings that
        finish at once both see each other. `solved_at` is when the first correct submission
        was graded: a regrade that confirms it does not move it."""
        with transaction.atomic():
            progress, _ = cls.objects.select_for_update().get_or_create(
                learner_id=learner_id,
                exercise_id=exercise_id,
                defaults={"first_submitted_at": timezone.now(), "last_submitted_at": timezone.now()},
            )
            graded = Submission.objects.graded().filter(
                learner_id=learner_id, exercise_id=exercise_id, quiz_attempt__isnull=True
            )
            summary = graded.aggregate(
                attempts=Count("id"),
                best=Max("score"),
                first=Min("submitted_at"),
                last=Max("submitted_at"),
                solved=Min("finished_at", filter=Q(correct=True)),
            )
            if not summary["attempts"]:
                progress.delete()
                return
            progress.attempts, progress.best_score = summary["attempts"], summary["best"] or 0
            progress.first_submitted_at, progress.last_submitted_at = summary["first"], summary["last"]
            progress.solved_at = summary["solved"]
            failed, mistakes, progress.attempts_to_solve = set(), set(), None
            rows = graded.order_by("submitted_at", "pk").values_list("correct", "failed_cases", "diagnoses")
            for position, (correct, failed_cases, diagnoses) in enumerate(rows, start=1):
                failed.update(failed_cases or [])
                mistakes.update(diagnoses or [])
                if correct and progress.attempts_to_solve is None:
                    progress.attempts_to_solve = position
            progress.failed_cases, progress.mistakes = sorted(failed), sorted(mistakes)
            progress.save()
            ModuleProgress.refresh(learner_id, Exercise.objects.values_list("module_id", flat=True).get(pk=exercise_id))


STUCK_ATTEMPTS = 3  # this many attempts at an exercise without solving it: stuck


class ModuleProgress(models.Model):
    """One row per learner and module: totals over the module's published problem set, kept
    with ExerciseProgress, so that a report on thousands of learners reads a small table
    instead of a row per learner and exercise."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_progress")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="progress")
    attempted = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    stuck = models.PositiveIntegerField(default=0)  # exercises with STUCK_ATTEMPTS+ attempts, unsolved
    score_sum = models.FloatField(default=0)  # the sum of best scores
    last_active = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "module"], name="unique_module_progress")]

    def __str__(self):
        return f"{self.learner} in {self.module}: {self.solved} solved"

    @staticmethod
    def totals(rows):
        return rows.annotate(
            n_attempted=Count("id"),
            n_solved=Count("id", filter=Q(solved_at__isnull=False)),
            n_stuck=Count("id", filter=Q(solved_at__isnull=True, attempts__gte=STUCK_ATTEMPTS)),
            total=Sum("best_score"),
            last=Max("last_submitted_at"),
        )

    @classmethod
    def _counted(cls, module_id: int):
        return ExerciseProgress.objects.filter(
            exercise__module_id=module_id, exercise__published=True, exercise__in_quiz=False
        )

    @classmethod
    def refresh(cls, learner_id: int, module_id: int) -> None:
        """Recompute one learner's row (called by ExerciseProgress.refresh)."""
        row = next(iter(cls.totals(cls._counted(module_id).filter(learner_id=learner_id).values("learner_id"))), None)
        if row is None:
            cls.objects.filter(learner_id=learner_id, module_id=module_id).delete()
            return
        cls.objects.update_or_create(learner_id=learner_id, module_id=module_id, defaults=cls._values(row))

    @classmethod
    def rebuild(cls, module_id: int) -> None:
        """Recompute every learner's row for a module (an exercise was published or withdrawn)."""
        with transaction.atomic():
            cls.objects.filter(module_id=module_id).delete()
            rows = cls.totals(cls._counted(module_id).values("learner_id"))
            cls.objects.bulk_create(
                [cls(learner_id=row["learner_id"], module_id=module_id, **cls._values(row)) for row in rows],
                batch_size=2000,
            )

    @staticmethod
    def _values(row: dict) -> dict:
        return {
            "attempted": row["n_attempted"], "solved": row["n_solved"], "stuck": row["n_stuck"],
            "score_sum": row["total"] or 0.0, "last_active": row["last"],
        }  # fmt: skip


def module_progress(learner, modules) -> dict[int, dict]:
    """Per module: published problem-set exercises, how many the learner solved and attempted."""
    exercises = Exercise.objects.published().problem_set().filter(module__in=modules)
    totals = dict(exercises.values_list("module").annotate(n=Count("id")))
    rows = {}
    if learner.is_authenticated:
        counts = (
            ExerciseProgress.objects.filter(learner=learner, exercise__in=exercises)
            .values("exercise__module")
            .annotate(attempted=Count("id"), solved=Count("id", filter=Q(solved_at__isnull=False)))
        )
        rows = {row["exercise__module"]: row for row in counts}
    return {
        module.pk: {
            "total": totals.get(module.pk, 0),
            "solved": rows.get(module.pk, {}).get("solved", 0),
            "attempted": rows.get(module.pk, {}).get("attempted", 0),
        }
        for module in modules
    }


def module_quiz_scores(learner, modules) -> dict[int, dict]:
    """Per module that has a quiz: its questions, the attempts allowed and finished, and the
    best finished attempt's score (the one that counts), None before any attempt finishes."""
    questions = dict(
        Exercise.objects.published()
        .quiz_questions()
        .filter(module__in=modules)
        .values_list("module")
        .annotate(n=Count("id"))
    )
    finished = {}
    if learner.is_authenticated:
        rows = QuizAttempt.objects.filter(learner=learner, module__in=modules).finished().values("module")
        finished = {row["module"]: row for row in rows.annotate(best=Max("score"), attempts=Count("id"))}
    return {
        module.pk: {
            "questions": questions[module.pk],
            "max_attempts": module.quiz_max_attempts,
            "attempts": finished.get(module.pk, {}).get("attempts", 0),
            "best": finished.get(module.pk, {}).get("best"),
        }
        for module in modules
        if questions.get(module.pk)
    }


class QuizAttemptQuerySet(models.QuerySet):
    def finished(self):
        return self.filter(finished_at__isnull=False)

    def open(self):
        return self.filter(finished_at__isnull=True)


def new_seed() -> str:
    return secrets.token_hex(16)


class QuizAttempt(models.Model):
    """One attempt at a module's quiz. Each attempt draws its own variant of every question (its
    parameters, the order of its choices), from its own seed. The best attempt's score counts."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="quiz_attempts")
    number = models.PositiveIntegerField()
    seed = models.CharField(max_length=32, default=new_seed, editable=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finish_requested_at = models.DateTimeField(null=True, blank=True)  # closed with blanks left
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)

    objects = QuizAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["module", "learner", "number"]
        constraints = [models.UniqueConstraint(fields=["learner", "module", "number"], name="unique_quiz_attempt")]

    def __str__(self):
        return f"{self.module.slug} quiz, attempt {self.number} by {self.learner}"

    def get_absolute_url(self):
        return reverse("quiz_attempt", args=[self.pk])

    @classmethod
    def start(cls, learner, module: Module) -> QuizAttempt | None:
        """Open attempt if any, else a new one while attempts remain; None when none remain.

        Idempotent under a double click: two requests at once would both count the same
        attempts and number the new one alike, so they take turns on the learner's row (a
        lock on the attempts themselves locks nothing before the first one exists).
        """
        with transaction.atomic():
            get_user_model().objects.select_for_update().only("pk").get(pk=learner.pk)
            attempts = cls.objects.filter(learner=learner, module=module)
            current = attempts.open().first()
            if current:
                return current
            used = attempts.count()
            if used >= module.quiz_max_attempts:
                return None
            return cls.objects.create(learner=learner, module=module, number=used + 1)

    def questions(self):
        return self.module.exercises.published().quiz_questions().select_related("current_version")

    def context_for(self, exercise: Exercise) -> dict:
        """This attempt's variant of a question: its own parameters and order of choices."""
        key = f"{self.learner_id}:{exercise.slug}:quiz:{self.seed}"
        context = {}
        params_spec = exercise.spec.get("params") or {}
        if params_spec:
            context["params"] = params.draw(params_spec, key)
        choices = exercise.spec.get("choices") or []
        if choices:
            order = list(range(len(choices)))
            random.Random(hashlib.sha256(key.encode()).digest()).shuffle(order)
            context["choice_order"] = order
        return context

    @property
    def shows_feedback(self) -> bool:
        return self.finished_at is not None or self.module.quiz_feedback == Module.QuizFeedback.PER_ANSWER

    def latest_answers(self) -> dict[int, Submission]:
        latest = {}
        for submission in self.submissions.order_by("submitted_at", "pk"):
            latest[submission.exercise_id] = submission
        return latest

    def answered(self) -> int:
        return sum(1 for s in self.latest_answers().values() if s.status != Submission.Status.ERROR)

    @property
    def is_closing(self) -> bool:
        """Open, but waiting for its last answers to be graded (every question answered, or
        the learner asked to finish): the page waits for it to close."""
        if self.finished_at is not None:
            return False
        return self.finish_requested_at is not None or self.answered() >= self.questions().count()

    def blanks(self) -> int:
        answered = {pk for pk, s in self.latest_answers().items() if s.status != Submission.Status.ERROR}
        return sum(1 for pk in self.questions().values_list("pk", flat=True) if pk not in answered)

    def request_finish(self) -> None:
        """Close the attempt now: blank questions score 0; it closes once pending answers are graded."""
        QuizAttempt.objects.filter(pk=self.pk, finish_requested_at__isnull=True).update(
            finish_requested_at=timezone.now()
        )
        self.refresh_from_db()
        self.finish_if_complete()

    def answer(self, exercise: Exercise, answer: str):
        """Submit this attempt's answer to a question, once, in this attempt's variant: None if
        the question already has an answer that counts (one that could be graded). Answers to
        one attempt take turns on its row, so the same question answered twice at once saves one."""
        with transaction.atomic():
            QuizAttempt.objects.select_for_update().only("pk").get(pk=self.pk)
            answered = self.submissions.filter(exercise=exercise).exclude(status=Submission.Status.ERROR).exists()
            if answered:
                return None
            return Submission.submit(
                self.learner, exercise, answer, quiz_attempt=self, context=self.context_for(exercise)
            )

    def finish_if_complete(self) -> None:
        """Close the attempt once every question has a graded answer, or the learner asked to
        finish and nothing is still being graded, and record its score."""
        questions = list(self.questions().values_list("id", "points"))
        latest = self.latest_answers()
        if self.finished_at or any(s.is_pending for s in latest.values()):
            return
        if len(latest) < len(questions) and self.finish_requested_at is None:
            return
        total = sum(points for _, points in questions) or 1
        earned = sum(points * (latest[pk].score or 0) for pk, points in questions if pk in latest)
        QuizAttempt.objects.filter(pk=self.pk, finished_at__isnull=True).update(
            finished_at=timezone.now(), score=earned / total
        )


class AuditEventQuerySet(models.QuerySet):
    def of_exercise(self, exercise: Exercise):
        return self.filter(exercise=exercise).select_related("actor", "version")


class AuditEvent(models.Model):
    """Who did what to which exercise or module, and when: kept for every change."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        LOADED = "loaded", "Loaded from the course files"
        IMPORTED = "imported", "Imported"
        VALIDATED = "validated", "Validated"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"
        REGRADED = "regraded", "Regraded"
        COPIED = "copied", "Copied"
        ROLLED_BACK = "rolled-back", "Rolled back"
        SHARED = "shared", "Co-authors changed"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    exercise = models.ForeignKey(Exercise, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events")
    module = models.ForeignKey(Module, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events")
    version = models.ForeignKey(ExerciseVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor or 'the course files'} {self.action} {self.exercise or self.module}"

    @classmethod
    def record(
        cls, action: str, *, actor=None, exercise=None, module=None, version=None, detail: str = ""
    ) -> AuditEvent:
        return cls.objects.create(
            action=action, actor=actor if getattr(actor, "is_authenticated", False) else None,
            exercise=exercise, module=module or (exercise.module if exercise else None), version=version, detail=detail[:2000],
        )  # fmt: skip
