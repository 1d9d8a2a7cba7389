from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone

from grader import engine
from grader.limits import SYMBOLIC_MAX_CHARS
from grader.results import GradingResult
from grader.sandbox import wire
from grader.symbolic import params


class Module(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    quiz_title = models.CharField(max_length=200, blank=True)
    quiz_max_attempts = models.PositiveIntegerField(default=3)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("module", args=[self.slug])


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


class Exercise(models.Model):
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
        if not params_spec or not getattr(learner, "is_authenticated", False):
            return {"params": params.lowest(params_spec)} if params_spec else {}
        return {"params": params.draw(params_spec, f"{learner.pk}:{self.slug}")}

    MAX_PREVIEW_CHARS = SYMBOLIC_MAX_CHARS

    def preview_answer(self, text: str) -> dict:
        """How a typed symbolic answer will be read, with the reading rendered as MathML."""
        from exercises.markdown import MathError, render_math
        from grader.symbolic import preview

        if not text.strip():
            return {"ok": False, "empty": True}
        if len(text) > self.MAX_PREVIEW_CHARS:
            return {"ok": False, "error": {"message": f"The answer is longer than {self.MAX_PREVIEW_CHARS} characters."}}
        reading = preview(self.spec, text)
        if reading.get("ok"):
            try:
                reading["mathml"] = render_math(reading["latex"], display=True)
            except MathError:
                reading["mathml"] = None
        return reading

    def add_version(self, statement: str, spec: dict) -> ExerciseVersion:
        """Record new content as a new version unless it is identical to the current one.

        Versions are never edited: past submissions keep the version they were graded against.
        """
        digest = ExerciseVersion.digest_for(statement, spec)
        current = self.current_version
        if current and current.digest == digest:
            return current
        number = (self.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ExerciseVersion.objects.create(exercise=self, number=number, statement=statement, spec=spec, digest=digest)
        self.current_version = version
        self.save(update_fields=["current_version", "updated_at"])
        return version


class ExerciseVersion(models.Model):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    statement = models.TextField()  # Markdown with math
    spec = models.JSONField()  # everything kind-specific: reference, cases, compare, answer, ...
    digest = models.CharField(max_length=64)
    prepared = models.BinaryField(null=True, editable=False)  # cached inputs + reference outputs
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["exercise", "-number"]
        constraints = [models.UniqueConstraint(fields=["exercise", "number"], name="unique_version_number")]

    def __str__(self):
        return f"{self.exercise.slug} v{self.number}"

    @staticmethod
    def digest_for(statement: str, spec: dict) -> str:
        canonical = json.dumps({"statement": statement, "spec": spec}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def seed(self) -> int:
        return int(self.digest[:8], 16)

    def prepared_cases(self) -> list[engine.PreparedCase]:
        """Inputs and reference outputs, generated in the sandbox once per version and cached."""
        if self.prepared is None:
            cases = engine.prepare_code_cases(self.spec, self.seed)
            self.prepared = wire.dumps([case.to_wire() for case in cases])
            ExerciseVersion.objects.filter(pk=self.pk).update(prepared=self.prepared)
        return [engine.PreparedCase(**case) for case in wire.loads(bytes(self.prepared))]

    def validate(self, context: dict | None = None) -> list[engine.Check]:
        """Run the reference (must pass), the starter and known wrong answers (must fail).

        A parametrised exercise is checked at its lowest and highest parameters."""
        cases = self.prepared_cases() if self.exercise.kind == Exercise.Kind.CODE else None
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
            cases = self.prepared_cases() if self.exercise.kind == Exercise.Kind.CODE else None
        except Exception as exc:  # a broken reference is the platform's fault, not the learner's
            return GradingResult.platform_error(f"This exercise's reference could not be prepared: {exc}")
        return engine.grade(self.exercise.kind, self.spec, answer, cases=cases, context=context)


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

    def stuck(self, now=None):
        """Queued too long (the broker lost it or was down) or running past every limit (a dead worker)."""
        now = now or timezone.now()
        limit = timedelta(seconds=2 * settings.GRADING_WALL_SECONDS_MAX + 30)
        return self.filter(
            Q(status=Submission.Status.QUEUED, submitted_at__lt=now - timedelta(seconds=60))
            | Q(status=Submission.Status.RUNNING, started_at__lt=now - limit)
        )


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        GRADED = "graded", "Graded"
        ERROR = "error", "Could not be graded"

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
    score = models.FloatField(null=True, blank=True)
    correct = models.BooleanField(default=False)
    feedback = models.JSONField(default=dict, blank=True)
    diagnoses = models.JSONField(default=list, blank=True)
    claims = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
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

    MAX_PENDING_PER_LEARNER = 5

    class TooManyPending(Exception):
        pass

    @classmethod
    def submit(cls, learner, exercise: Exercise, answer: str, *, quiz_attempt=None, context=None) -> Submission:
        """Save the answer first (it is never lost), then queue it for grading after commit."""
        if cls.objects.of(learner).pending().count() >= cls.MAX_PENDING_PER_LEARNER:
            raise cls.TooManyPending("Several of your answers are still being graded; wait for them first.")
        submission = cls.objects.create(
            learner=learner,
            exercise=exercise,
            version=exercise.current_version,
            answer=answer,
            quiz_attempt=quiz_attempt,
            context=context if context is not None else exercise.context_for(learner),
        )
        submission.enqueue()
        return submission

    def enqueue(self) -> None:
        """Queue grading once the surrounding transaction has committed."""
        from grader.tasks import grade_submission

        transaction.on_commit(lambda: grade_submission.delay(self.pk))

    @classmethod
    def claim(cls, pk: int) -> Submission | None:
        """Atomically take a submission for grading; None if someone else has it or it is done.

        A submission left running by a dead worker is claimable again once it is stuck.
        """
        now = timezone.now()
        claimable = cls.objects.filter(pk=pk).filter(
            Q(status=cls.Status.QUEUED) | Q(pk__in=cls.objects.stuck(now).filter(status=cls.Status.RUNNING).values("pk"))
        )
        if claimable.update(status=cls.Status.RUNNING, started_at=now, claims=F("claims") + 1) != 1:
            return None
        return cls.objects.select_related("exercise", "version__exercise", "learner").get(pk=pk)

    def grade(self) -> GradingResult:
        if self.claims > self.MAX_CLAIMS:
            result = GradingResult.platform_error("Grading this submission stopped the grader repeatedly.")
        else:
            result = self.version.grade(self.answer, self.context)
        self.record(result)
        return result

    def record(self, result: GradingResult) -> None:
        self.status = self.Status.GRADED if result.status == "graded" else self.Status.ERROR
        self.score = result.score if result.status == "graded" else None
        self.correct = result.correct
        self.feedback = result.to_dict()
        self.diagnoses = result.diagnoses
        self.finished_at = timezone.now()
        with transaction.atomic():
            self.save(update_fields=["status", "score", "correct", "feedback", "diagnoses", "finished_at"])
            if self.status == self.Status.GRADED and self.quiz_attempt_id is None:
                ExerciseProgress.record(self)
        if self.quiz_attempt_id:
            self.quiz_attempt.finish_if_complete()

    def public_cases(self) -> list[dict]:
        return [case.public() for case in self.result.cases] if self.feedback else []


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

    objects = ExerciseProgressQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "exercise"], name="unique_progress")]

    def __str__(self):
        return f"{self.learner} on {self.exercise}: best {self.best_score:.0%}"

    @classmethod
    def record(cls, submission: Submission) -> None:
        progress, _ = cls.objects.select_for_update().get_or_create(
            learner_id=submission.learner_id,
            exercise_id=submission.exercise_id,
            defaults={"first_submitted_at": submission.submitted_at, "last_submitted_at": submission.submitted_at},
        )
        progress.attempts += 1
        progress.best_score = max(progress.best_score, submission.score or 0)
        progress.last_submitted_at = max(progress.last_submitted_at, submission.submitted_at)
        if submission.correct and progress.solved_at is None:
            progress.solved_at = submission.finished_at
        progress.save()


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


class QuizAttemptQuerySet(models.QuerySet):
    def finished(self):
        return self.filter(finished_at__isnull=False)

    def open(self):
        return self.filter(finished_at__isnull=True)


class QuizAttempt(models.Model):
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="quiz_attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
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
        return self.module.exercises.published().quiz_questions()

    def answer(self, exercise: Exercise, answer: str):
        """Submit this attempt's answer to a question, once: None if the question already has
        an answer that counts (one that could be graded). Answers to one attempt take turns on
        its row, so the same question answered twice at once saves one answer."""
        with transaction.atomic():
            QuizAttempt.objects.select_for_update().only("pk").get(pk=self.pk)
            answered = self.submissions.filter(exercise=exercise).exclude(status=Submission.Status.ERROR).exists()
            if answered:
                return None
            return Submission.submit(self.learner, exercise, answer, quiz_attempt=self)

    def answered_ids(self) -> set[int]:
        return set(self.submissions.values_list("exercise_id", flat=True))

    def finish_if_complete(self) -> None:
        """Close the attempt once every question has a graded answer, and record its score."""
        questions = list(self.questions().values_list("id", "points"))
        latest = {}
        for submission in self.submissions.order_by("submitted_at"):
            latest[submission.exercise_id] = submission
        if self.finished_at or len(latest) < len(questions) or any(s.is_pending for s in latest.values()):
            return
        total = sum(points for _, points in questions) or 1
        earned = sum(points * (latest[pk].score or 0) for pk, points in questions if pk in latest)
        QuizAttempt.objects.filter(pk=self.pk, finished_at__isnull=True).update(
            finished_at=timezone.now(), score=earned / total
        )
