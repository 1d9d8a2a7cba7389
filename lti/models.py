"""The course inside a learning management system, on top of django-lti's records of
platforms, deployments, LMS users, contexts (LMS courses) and resource links.

- `CourseLink`: an LMS course is a cohort here; its learners are enrolled as they launch or
  when the roster is read (Names and Role Provisioning Services).
- `Placement`: a link an instructor placed in the LMS (Deep Linking) to a module, its quiz or
  an exercise, with the gradebook column (AGS line item) it reports to.
- `Outcome`: the outbox of grade passback. One row per learner and placement holds the score
  the LMS gradebook should show; the worker sends it, retries with backoff while the LMS
  fails, and marks it sent only if the score did not change meanwhile. Nothing in
  `exercises` calls this app: a beat task reads new submissions (`collect`).
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import models, transaction
from django.db.models import F, Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from lti_tool.models import LtiContext, LtiMembership, LtiResourceLink, LtiUser

from exercises.access import INSTRUCTORS_GROUP
from exercises.models import Exercise, ExerciseProgress, Module, QuizAttempt, Submission
from teaching.models import Cohort, Regrade

TARGET_PARAM = "mlcourse_target"  # the custom parameter a deep-linked resource carries
SCORE_MAXIMUM = 100.0  # every gradebook column is a percentage; the LMS weighs it


# --- people ---------------------------------------------------------------------------------


def teaches(membership: LtiMembership | None) -> bool:
    """LMS roles that make someone an instructor here: Instructor, Administrator, ContentDeveloper."""
    return bool(
        membership and (membership.is_instructor or membership.is_administrator or membership.is_content_developer)
    )


def _username_for(lti_user: LtiUser) -> str:
    """Readable and unique: the e-mail's local part or the name, plus a short digest of the LMS identity."""
    base = (lti_user.email or "").split("@")[0] or lti_user.name or lti_user.given_name or "learner"
    base = re.sub(r"[^\w.+-]+", "-", base).strip("-.").lower()[:40] or "learner"
    digest = hashlib.sha256(f"{lti_user.registration.issuer}|{lti_user.sub}".encode()).hexdigest()
    for length in (6, 10, 16, 64):
        username = f"{base}-{digest[:length]}"
        if not User.objects.filter(username=username).exists():
            return username
    raise RuntimeError("no free username")  # 64 hex digits of SHA-256 collide only with themselves


def account_for(lti_user: LtiUser) -> User:
    """The account of an LMS user, made on first sight. It has no password: the LMS vouches for it.

    Accounts are never matched by e-mail: an LMS that lets users set their own address would
    otherwise hand out other people's accounts.
    """
    if lti_user.auth_user_id:
        return lti_user.auth_user
    with transaction.atomic():
        # Lock only the LMS user's row: PostgreSQL cannot lock the nullable side of the join to auth_user.
        locked = (
            LtiUser.objects.select_for_update(of=("self",))
            .select_related("registration", "auth_user")
            .get(pk=lti_user.pk)
        )
        if locked.auth_user_id is None:
            user = User.objects.create_user(
                _username_for(locked),
                email=locked.email or "",
                first_name=(locked.given_name or "")[:150],
                last_name=(locked.family_name or "")[:150],
            )
            LtiUser.objects.filter(pk=locked.pk).update(auth_user=user)
            locked.auth_user = user
    lti_user.auth_user = locked.auth_user
    return locked.auth_user


def make_instructor(user: User) -> None:
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])


# --- courses --------------------------------------------------------------------------------


class CourseLink(models.Model):
    """An LMS course (an LTI context) and the cohort it is here."""

    context = models.OneToOneField(LtiContext, on_delete=models.CASCADE, related_name="course_link")
    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="lti_link")
    roster_synced_at = models.DateTimeField(null=True, blank=True)
    roster_message = models.TextField(blank=True)  # what the last roster sync did, or why it failed
    created_at = models.DateTimeField(auto_now_add=True)

    ROSTER_STALE = timedelta(hours=1)

    def __str__(self):
        return f"{self.context} → {self.cohort}"

    def get_absolute_url(self):
        return reverse("lti:course", args=[self.pk])

    @classmethod
    def for_context(cls, context: LtiContext) -> CourseLink:
        link = cls.objects.select_related("cohort", "context").filter(context=context).first()
        if link:
            return link
        with transaction.atomic():
            locked = LtiContext.objects.select_for_update().get(pk=context.pk)
            link = cls.objects.filter(context=locked).first()
            if link is None:
                name = context.title or context.label or f"LMS course {context.id_on_platform}"
                platform = context.deployment.registration.name
                link = cls.objects.create(context=locked, cohort=Cohort.objects.create(name=f"{name} ({platform})"))
        return link

    def add_member(self, user: User, membership: LtiMembership | None) -> None:
        """Instructors teach the cohort; learners are enrolled; other roles (mentors, observers) are neither."""
        if teaches(membership):
            make_instructor(user)
            self.cohort.instructors.add(user)
        elif membership is None or membership.is_learner:
            self.cohort.enroll(user)

    @property
    def roster_is_stale(self) -> bool:
        return self.roster_synced_at is None or self.roster_synced_at < timezone.now() - self.ROSTER_STALE


# --- placements -----------------------------------------------------------------------------


class Placement(models.Model):
    """A resource link in an LMS course that opens a module, its quiz or an exercise here."""

    class Kind(models.TextChoices):
        MODULE = "module", "Module"
        QUIZ = "quiz", "Quiz"
        EXERCISE = "exercise", "Exercise"

    resource_link = models.OneToOneField(LtiResourceLink, on_delete=models.CASCADE, related_name="placement")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    exercise = models.ForeignKey(Exercise, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    lineitem_url = models.URLField(
        max_length=1000, blank=True
    )  # the gradebook column; empty: found or made on first passback
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.resource_link}: {self.target}"

    def get_absolute_url(self):
        if self.kind == self.Kind.EXERCISE:
            return self.exercise.get_absolute_url()
        if self.kind == self.Kind.QUIZ:
            return reverse("quiz", args=[self.module.slug])
        return self.module.get_absolute_url()

    @property
    def target(self) -> str:
        return f"{self.kind}:{self.exercise.slug if self.exercise_id else self.module.slug}"

    @property
    def title(self) -> str:
        if self.kind == self.Kind.EXERCISE:
            return self.exercise.title
        if self.kind == self.Kind.QUIZ:
            return self.module.quiz_title or f"{self.module.title}: quiz"
        return self.module.title

    @classmethod
    def resolve(cls, target: str | None) -> dict | None:
        """`exercise:sigmoid`, `module:calculus` or `quiz:calculus` as fields; None if unknown."""
        kind, _, slug = (target or "").partition(":")
        if kind == cls.Kind.EXERCISE:
            exercise = Exercise.objects.select_related("module").filter(slug=slug).first()
            return {"kind": kind, "module": exercise.module, "exercise": exercise} if exercise else None
        if kind in (cls.Kind.MODULE, cls.Kind.QUIZ):
            module = Module.objects.filter(slug=slug).first()
            return {"kind": kind, "module": module, "exercise": None} if module else None
        return None

    @classmethod
    def for_launch(cls, resource_link: LtiResourceLink, target: str | None, lineitem_url: str) -> Placement | None:
        """The placement a resource launch opens, kept in step with what the launch says."""
        fields = cls.resolve(target)
        if fields is None:
            return None
        if lineitem_url:
            fields["lineitem_url"] = lineitem_url
        placement, _ = cls.objects.update_or_create(resource_link=resource_link, defaults=fields)
        return placement

    def score_for(self, learner_id: int) -> tuple[float, bool] | None:
        """(score in [0, 1], completed) as the gradebook should show it; None while there is nothing to report."""
        if self.kind == self.Kind.EXERCISE:
            row = ExerciseProgress.objects.filter(learner_id=learner_id, exercise_id=self.exercise_id).first()
            return (row.best_score, row.solved_at is not None) if row else None
        if self.kind == self.Kind.QUIZ:
            best = (
                QuizAttempt.objects.finished()
                .filter(learner_id=learner_id, module_id=self.module_id)
                .aggregate(best=Max("score"))["best"]
            )
            return (best, True) if best is not None else None
        exercises = list(
            Exercise.objects.published().problem_set().filter(module_id=self.module_id).values_list("pk", flat=True)
        )
        rows = list(
            ExerciseProgress.objects.filter(learner_id=learner_id, exercise_id__in=exercises).values_list(
                "best_score", "solved_at"
            )
        )
        if not rows or not exercises:
            return None
        solved = sum(solved_at is not None for _best, solved_at in rows)
        return sum(best for best, _solved_at in rows) / len(exercises), solved == len(exercises)


# --- grade passback: the outbox -------------------------------------------------------------


class OutcomeQuerySet(models.QuerySet):
    def due(self, now=None):
        """Waiting to be sent, past their retry time, and not being sent by a worker right now."""
        now = now or timezone.now()
        return self.filter(state=Outcome.State.PENDING, next_attempt_at__lte=now).filter(
            Q(leased_until__isnull=True) | Q(leased_until__lt=now)
        )

    def affected_by(self, learner_id: int, exercise_id: int, module_id: int, *, in_quiz: bool):
        """The outcomes a graded submission can change: its exercise's placements and its module's
        (a problem-set answer moves the module's score; a quiz answer may finish an attempt)."""
        kinds = (
            Q(placement__kind=Placement.Kind.QUIZ, placement__module_id=module_id)
            if in_quiz
            else (
                Q(placement__kind=Placement.Kind.EXERCISE, placement__exercise_id=exercise_id)
                | Q(placement__kind=Placement.Kind.MODULE, placement__module_id=module_id)
            )
        )
        return self.filter(kinds, learner_id=learner_id)

    def failing(self):
        return self.filter(state=Outcome.State.PENDING).exclude(last_error="")


class Outcome(models.Model):
    class State(models.TextChoices):
        IDLE = "idle", "Nothing to send yet"
        PENDING = "pending", "To send"
        SENT = "sent", "Sent"

    LEASE = timedelta(minutes=2)  # a worker that died while sending loses its claim after this
    FIRST_RETRY_SECONDS = 30

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="outcomes")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_outcomes")
    lti_user = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="+")  # whose `sub` the LMS knows
    score = models.FloatField(null=True, blank=True)  # in [0, 1]: what the gradebook should show
    completed = models.BooleanField(default=False)
    scored_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)  # +1 whenever the score to send changes
    state = models.CharField(max_length=16, choices=State.choices, default=State.IDLE)
    sent_score = models.FloatField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)  # since the score last changed
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["placement", "learner"], name="unique_outcome")]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.learner} on {self.placement}: {self.state}"

    @classmethod
    def for_launch(cls, placement: Placement, learner: User, lti_user: LtiUser) -> Outcome:
        PassbackCursor.start()
        outcome, _ = cls.objects.get_or_create(placement=placement, learner=learner, defaults={"lti_user": lti_user})
        if outcome.lti_user_id != lti_user.pk:
            cls.objects.filter(pk=outcome.pk).update(lti_user=lti_user)
        outcome.refresh()  # work done before the link existed counts too
        return outcome

    def refresh(self, now=None) -> bool:
        """Recompute the score; if it changed, queue it for sending. True if it changed."""
        computed = self.placement.score_for(self.learner_id)
        if computed is None:
            return False
        score, completed = computed
        if self.score is not None and abs(score - self.score) < 1e-9 and completed == self.completed:
            return False
        now = now or timezone.now()
        Outcome.objects.filter(pk=self.pk).update(
            score=score, completed=completed, scored_at=now, version=F("version") + 1,
            state=self.State.PENDING, attempts=0, next_attempt_at=now, last_error="",
        )  # fmt: skip
        self.refresh_from_db()
        return True

    @classmethod
    def claim(cls, pk: int, now=None) -> Outcome | None:
        """Take a due outcome for sending; None if it is not due or another worker has it."""
        now = now or timezone.now()
        if cls.objects.due(now).filter(pk=pk).update(leased_until=now + cls.LEASE, attempts=F("attempts") + 1) != 1:
            return None
        return cls.objects.select_related(
            "lti_user",
            "placement__module",
            "placement__exercise",
            "placement__resource_link__context__deployment__registration",
        ).get(pk=pk)

    def mark_sent(self, now=None) -> None:
        """Sent: unless the score changed while it was on its way, in which case it is sent again."""
        now = now or timezone.now()
        done = Outcome.objects.filter(pk=self.pk, version=self.version).update(
            state=self.State.SENT, sent_score=self.score, sent_at=now, leased_until=None, last_error=""
        )
        if not done:
            Outcome.objects.filter(pk=self.pk).update(leased_until=None)

    def mark_failed(self, error: str, now=None) -> timedelta:
        """Not sent: try again later, waiting twice as long each time up to the configured maximum."""
        now = now or timezone.now()
        delay = timedelta(
            seconds=min(
                settings.LTI_PASSBACK_MAX_BACKOFF_SECONDS, self.FIRST_RETRY_SECONDS * 2 ** max(self.attempts - 1, 0)
            )
        )
        retried = Outcome.objects.filter(pk=self.pk, version=self.version).update(
            leased_until=None, next_attempt_at=now + delay, last_error=error[:4000]
        )
        if not retried:  # a newer score is already due now
            Outcome.objects.filter(pk=self.pk).update(leased_until=None, last_error=error[:4000])
        return delay


class PassbackCursor(models.Model):
    """How far `collect` has read: every submission up to `submission_id` and every regrade up to
    `regrade_id` has been accounted for in the outcomes. One row."""

    submission_id = models.BigIntegerField(default=0)
    regrade_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    BATCH = 5000

    def __str__(self):
        return f"passback read up to submission {self.submission_id}, regrade {self.regrade_id}"

    @classmethod
    def start(cls) -> None:
        """Made with the first outcome, which is computed in full: what is graded by then is
        counted, and reading starts before the oldest submission still being graded."""
        if cls.objects.filter(pk=1).exists():
            return
        oldest_pending = Submission.objects.pending().aggregate(n=Min("pk"))["n"]
        start = oldest_pending - 1 if oldest_pending else Submission.objects.aggregate(n=Max("pk"))["n"] or 0
        last_regrade = Regrade.objects.aggregate(n=Max("pk"))["n"] or 0
        cls.objects.get_or_create(pk=1, defaults={"submission_id": start, "regrade_id": last_regrade})

    @classmethod
    def current(cls) -> PassbackCursor:
        cls.start()
        return cls.objects.select_for_update().get(pk=1)


def collect(now=None) -> int:
    """Queue the outcomes that new grades changed; returns how many changed.

    Reads submissions by id past the cursor (an index scan of the newest rows only) and stops
    the cursor before the first one still being graded, so a slow grade is read when it lands.
    A regrade changes old submissions, so a regrade is read once it has finished.
    """
    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        cursor = PassbackCursor.current()
        rows = list(
            Submission.objects.filter(pk__gt=cursor.submission_id)
            .order_by("pk")
            .values_list("pk", "status", "learner_id", "exercise_id", "exercise__module_id", "quiz_attempt_id")[
                : PassbackCursor.BATCH
            ]
        )
        pending = {Submission.Status.QUEUED, Submission.Status.RUNNING}
        first_pending = next((row[0] for row in rows if row[1] in pending), None)
        touched = {
            (learner, exercise, module, quiz is not None)
            for _pk, status, learner, exercise, module, quiz in rows
            if status not in pending
        }
        if rows:
            cursor.submission_id = first_pending - 1 if first_pending is not None else rows[-1][0]
        for regrade in Regrade.objects.filter(pk__gt=cursor.regrade_id).order_by("pk"):
            if not regrade.progress()["finished"]:
                break
            touched |= {
                (learner, regrade.exercise_id, regrade.exercise.module_id, False)
                for learner in regrade.regradings.values_list("submission__learner_id", flat=True).distinct()
            }
            cursor.regrade_id = regrade.pk
        cursor.save()
        lti_learners = set(
            Outcome.objects.filter(learner_id__in={t[0] for t in touched}).values_list("learner_id", flat=True)
        )
        for learner, exercise, module, in_quiz in touched:
            if learner not in lti_learners:
                continue
            outcomes = Outcome.objects.affected_by(learner, exercise, module, in_quiz=in_quiz).select_related(
                "placement"
            )
            changed += sum(outcome.refresh(now) for outcome in outcomes)
    return changed


def recompute_all(now=None) -> int:
    """Every outcome recomputed from the grades (manage.py lti_passback --recompute)."""
    return sum(outcome.refresh(now) for outcome in Outcome.objects.select_related("placement").iterator())
