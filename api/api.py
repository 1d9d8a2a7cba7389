"""The REST API (django-ninja): the course, submissions with their verdicts, progress, and
cohort reports for instructors. The OpenAPI schema is at /api/openapi.json, its docs at
/api/docs. Authentication is a personal access token (Authorization: Bearer mlc_...), made
on the profile page; every token has its own rate limits; every error is `ErrorOut`.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from exercises import access
from exercises.forms import AnswerForm
from exercises.markdown import render_markdown_or_escape
from exercises.models import Exercise, ExerciseProgress, Module, Submission, module_progress
from teaching import access as teaching_access
from teaching.models import Cohort

from . import schemas
from .models import AccessToken
from .waiting import wait_for_verdict

log = logging.getLogger(__name__)

ERRORS = {
    400: schemas.ErrorOut,
    401: schemas.ErrorOut,
    404: schemas.ErrorOut,
    422: schemas.ErrorOut,
    429: schemas.ErrorOut,
}


class ApiError(HttpError):
    """An error with its own code, for the cases the framework does not name."""

    def __init__(self, status: int, code: str, message: str, details: list[dict] | None = None):
        super().__init__(status, message)
        self.code = code
        self.details = details


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> AccessToken | None:
        access_token = AccessToken.authenticate(token)
        if access_token is not None:
            request.user = access_token.user  # the access helpers take the user from here
        return access_token


class TokenRateThrottle(SimpleRateThrottle):
    """A sliding-window limit per token, its rate read from settings on each request.

    ninja's throttles keep the request being checked on the (shared) instance; this one keeps
    it in locals and a thread-local, so that threaded servers do not mix tokens up.
    """

    def __init__(self, scope: str, setting: str):
        self.scope = scope
        self.setting = setting
        self._last = threading.local()
        super().__init__(getattr(settings, setting))

    def get_cache_key(self, request: HttpRequest) -> str:
        token = getattr(request, "auth", None)
        ident = token.digest if isinstance(token, AccessToken) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: HttpRequest) -> bool:
        limit, period = self.parse_rate(getattr(settings, self.setting))
        key = self.get_cache_key(request)
        now = self.timer()
        history = [moment for moment in self.cache.get(key, []) if moment > now - period]
        if len(history) >= limit:
            self._last.wait = period - (now - history[0])
            return False
        self.cache.set(key, [*history, now], period)
        return True

    def wait(self) -> float | None:
        return getattr(self._last, "wait", None)


api = NinjaAPI(
    title="Mathematics for Machine Learning",
    version="1",
    description=(
        "Exercises, submissions and verdicts, progress, and cohort reports. Authenticate with a personal access "
        "token from your profile page: `Authorization: Bearer mlc_...`. Errors always have the shape "
        '`{"error": {"status", "code", "message", "details"}}`.'
    ),
    auth=TokenAuth(),
    throttle=[TokenRateThrottle("api", "API_RATE_LIMIT")],
    urls_namespace="api",
)
submit_throttle = [TokenRateThrottle("api", "API_RATE_LIMIT"), TokenRateThrottle("submit", "API_SUBMIT_RATE_LIMIT")]


# --- one error shape ------------------------------------------------------------------------

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 422: "invalid", 429: "rate_limited"}  # fmt: skip


def error_response(request, status: int, message: str, *, code: str | None = None, details=None):
    body = {
        "error": {"status": status, "code": code or CODES.get(status, "error"), "message": message, "details": details}
    }
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    details = [
        {"loc": [str(part) for part in error.get("loc", [])], "msg": str(error.get("msg", ""))} for error in exc.errors
    ]
    return error_response(request, 422, "The request is not valid; see details.", details=details)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    response = error_response(
        request, 401, "Send a personal access token (Authorization: Bearer mlc_...); make one on your profile page."
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Throttled)
def on_throttled(request, exc: Throttled):
    wait = f" Try again in {exc.wait:.0f} s." if exc.wait else ""
    return error_response(request, 429, f"Too many requests with this token.{wait}")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error_response(
        request, exc.status_code, exc.message, code=getattr(exc, "code", None), details=getattr(exc, "details", None)
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, str(exc) or "Not found.")


@api.exception_handler(Exception)
def on_crash(request, exc):
    log.exception("API request %s %s failed", request.method, request.path)
    return error_response(request, 500, "Something went wrong on our side; it has been logged.", code="server_error")


# --- helpers --------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def html_of(markdown: str) -> str:
    return render_markdown_or_escape(markdown or "")


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def exercise_out(request, exercise: Exercise) -> dict:
    spec = exercise.spec
    statement = exercise.current_version.statement_for(exercise.context_for(request.user))
    data = {
        "slug": exercise.slug,
        "title": exercise.title,
        "module": exercise.module.slug,
        "kind": exercise.kind,
        "difficulty": exercise.difficulty,
        "points": exercise.points,
        "topics": [topic.pk for topic in exercise.topics.all()],
        "version": exercise.current_version.number,
        "statement": statement,
        "statement_html": html_of(statement),
        "answer_format": exercise.answer_kind.answer_format,
        "url": absolute(request, exercise.get_absolute_url()),
    }
    data.update(exercise.answer_kind.public_fields(spec, html_of))
    return data


def feedback_out(submission: Submission) -> dict | None:
    if submission.is_pending or not submission.feedback:
        return None
    result = submission.result
    return {
        "message": result.message,
        "message_html": html_of(result.message),
        "correct": result.correct,
        "cases": [{**case, "message_html": html_of(case["message"])} for case in submission.public_cases()],
        "diagnoses": list(result.diagnoses),
        "stdout": result.stdout,
        "traceback": result.details.get("traceback") or None,
    }


def submission_out(request, submission: Submission) -> dict:
    return {
        "id": submission.pk,
        "exercise": submission.exercise.slug,
        "status": submission.status,
        "pending": submission.is_pending,
        "submitted_at": submission.submitted_at,
        "finished_at": submission.finished_at,
        "score": submission.score,
        "correct": submission.correct,
        "feedback": feedback_out(submission),
        "url": absolute(request, submission.get_absolute_url()),
    }


def answer_data(exercise: Exercise, answer: str):
    """The answer as the web form would receive it, so that both validate alike."""
    return exercise.answer_kind.form_data(answer)


def bounded_wait(seconds: float) -> float:
    return min(max(seconds, 0.0), float(settings.API_MAX_WAIT_SECONDS))


WAIT_DESCRIPTION = (
    "Seconds to wait for the verdict before answering (long-poll); capped by the server (25 s by default)."
)


# --- the learner's endpoints ----------------------------------------------------------------

router = Router(tags=["learners"])


@router.get("/me", response={200: schemas.MeOut, **ERRORS}, summary="Who the token belongs to")
def me(request):
    token = request.auth
    return {
        "username": request.user.username,
        "is_instructor": access.is_instructor(request.user),
        "token": {"name": token.name, "hint": token.hint, "created_at": token.created_at},
    }


def _modules_out(request, modules: list[Module]) -> list[dict]:
    progress = module_progress(request.user, modules)
    quiz_counts = dict(
        Exercise.objects.published()
        .quiz_questions()
        .filter(module__in=modules)
        .values_list("module")
        .annotate(n=Count("id"))
    )
    return [
        {
            "slug": module.slug,
            "title": module.title,
            "summary": module.summary,
            "order": module.order,
            "exercises": progress[module.pk]["total"],
            "solved": progress[module.pk]["solved"],
            "attempted": progress[module.pk]["attempted"],
            "quiz_questions": quiz_counts.get(module.pk, 0),
            "url": absolute(request, module.get_absolute_url()),
        }
        for module in modules
    ]


@router.get(
    "/modules", response={200: list[schemas.ModuleOut], **ERRORS}, summary="The course's modules, with your progress"
)
def modules(request):
    return _modules_out(request, list(Module.objects.all()))


def _summaries(request, exercises) -> list[dict]:
    exercises = list(exercises.select_related("module").prefetch_related("topics"))
    progress = {p.exercise_id: p for p in ExerciseProgress.objects.filter(learner=request.user, exercise__in=exercises)}
    rows = []
    for exercise in exercises:
        mine = progress.get(exercise.pk)
        rows.append(
            {
                "slug": exercise.slug,
                "title": exercise.title,
                "kind": exercise.kind,
                "difficulty": exercise.difficulty,
                "points": exercise.points,
                "topics": [topic.pk for topic in exercise.topics.all()],
                "attempts": mine.attempts if mine else 0,
                "best_score": mine.best_score if mine else 0.0,
                "solved": bool(mine and mine.solved_at),
                "url": absolute(request, exercise.get_absolute_url()),
            }
        )
    return rows


@router.get(
    "/modules/{slug}", response={200: schemas.ModuleDetail, **ERRORS}, summary="A module: lesson and problem set"
)
def module_detail(request, slug: str):
    module = access.module_for(request.user, slug)
    data = _modules_out(request, [module])[0]
    lesson = getattr(module, "lesson", None)
    data["lesson_html"] = lesson.body_html if lesson else ""
    data["problem_set"] = _summaries(request, module.exercises.published().problem_set())
    return data


@router.get("/exercises", response={200: list[schemas.ExerciseSummary], **ERRORS}, summary="Every problem-set exercise")
def exercises(request, module: str | None = None):
    queryset = Exercise.objects.published().problem_set()
    if module:
        queryset = queryset.filter(module=access.module_for(request.user, module))
    return _summaries(request, queryset)


@router.get(
    "/exercises/{slug}",
    response={200: schemas.ExerciseOut, **ERRORS},
    summary="An exercise: statement, starter, signature",
)
def exercise_detail(request, slug: str):
    return exercise_out(request, access.exercise_for(request.user, slug))


@router.post(
    "/exercises/{slug}/submissions",
    response={202: schemas.SubmissionOut, 400: schemas.ErrorOut, 409: schemas.ErrorOut, **ERRORS},
    summary="Submit an answer",
    description="Queues the answer for grading. With `wait`, answers once graded (or after `wait` seconds).",
    throttle=submit_throttle,
)
async def submit(
    request, slug: str, payload: schemas.SubmitIn, wait: float = Query(0, ge=0, le=60, description=WAIT_DESCRIPTION)
):
    # Async, so that waiting for the verdict holds no thread of the web server.
    submission = await sync_to_async(_submit)(request, slug, payload)
    submission = await wait_for_verdict(submission, bounded_wait(wait))
    return Status(202, await sync_to_async(submission_out)(request, submission))


def _submit(request, slug: str, payload: schemas.SubmitIn) -> Submission:
    exercise = access.exercise_for(request.user, slug)
    if exercise.in_quiz:
        raise ApiError(
            409, "quiz_question", "Quiz questions are answered in a quiz attempt, on the module's quiz page."
        )
    form = AnswerForm(exercise, answer_data(exercise, payload.answer))
    if not form.is_valid():
        messages = [str(message) for message in form.errors.get("answer", ["The answer is not valid."])]
        raise ApiError(
            422, "invalid", " ".join(messages), details=[{"loc": ["body", "answer"], "msg": m} for m in messages]
        )
    try:
        submission = Submission.submit(request.user, exercise, form.cleaned_data["answer"])
    except Submission.TooManyPending as exc:
        raise ApiError(429, "too_many_pending", str(exc)) from None
    except Submission.PastDeadline as exc:
        raise ApiError(403, "past_deadline", str(exc)) from None
    submission.refresh_from_db()  # grading may already have happened, when it runs in this process
    return submission


@router.get(
    "/exercises/{slug}/submissions",
    response={200: list[schemas.SubmissionOut], **ERRORS},
    summary="Your latest submissions",
)
def exercise_submissions(request, slug: str):
    exercise = access.exercise_for(request.user, slug)
    submissions = Submission.objects.of(request.user).filter(exercise=exercise).select_related("exercise")[:20]
    return [submission_out(request, submission) for submission in submissions]


@router.get(
    "/submissions/{submission_id}",
    response={200: schemas.SubmissionOut, **ERRORS},
    summary="A submission's status and feedback",
    description="With `wait`, a long-poll: answers as soon as the verdict is in, or after `wait` seconds.",
)
async def submission_detail(
    request, submission_id: int, wait: float = Query(0, ge=0, le=60, description=WAIT_DESCRIPTION)
):
    submission = await sync_to_async(access.submission_for)(request.user, submission_id)
    submission = await wait_for_verdict(submission, bounded_wait(wait))
    return await sync_to_async(submission_out)(request, submission)


@router.get("/progress", response={200: schemas.ProgressOut, **ERRORS}, summary="Your progress")
def progress(request):
    modules = list(Module.objects.all())
    per_module = module_progress(request.user, modules)
    rows = ExerciseProgress.objects.filter(learner=request.user, exercise__published=True).select_related(
        "exercise__module"
    )
    return {
        "modules": [
            {
                "module": module.slug,
                "title": module.title,
                "exercises": per_module[module.pk]["total"],
                "solved": per_module[module.pk]["solved"],
                "attempted": per_module[module.pk]["attempted"],
            }
            for module in modules
        ],
        "exercises": [
            {
                "exercise": row.exercise.slug,
                "module": row.exercise.module.slug,
                "attempts": row.attempts,
                "best_score": row.best_score,
                "solved": row.solved_at is not None,
                "solved_at": row.solved_at,
                "last_submitted_at": row.last_submitted_at,
            }
            for row in rows.order_by("exercise__module__order", "exercise__order")
        ],
    }


# --- instructors' reports -------------------------------------------------------------------

teaching = Router(tags=["instructors"])


def _cohort_out(cohort: Cohort) -> dict:
    return {"id": cohort.pk, "name": cohort.name, "learners": cohort.n_learners, "created_at": cohort.created_at}


@teaching.get("/cohorts", response={200: list[schemas.CohortOut], **ERRORS}, summary="The cohorts you teach")
def cohorts(request):
    teaching_access.instructor_required(request.user)
    taught = Cohort.objects.taught_by(request.user).annotate(n_learners=Count("enrollments", distinct=True))
    return [_cohort_out(cohort) for cohort in taught.order_by("name")]


@teaching.get(
    "/cohorts/{cohort_id}", response={200: schemas.CohortReportOut, **ERRORS}, summary="A cohort's progress report"
)
def cohort_report(request, cohort_id: int, inactive_days: int = Query(7, ge=1, le=3650)):
    cohort = teaching_access.cohort_for(request.user, cohort_id)
    grid = cohort.grid(inactive_days=inactive_days)
    cohort.n_learners = len(grid.rows)
    slugs = [exercise.slug for exercise in grid.exercises]
    return {
        **_cohort_out(cohort),
        "exercises": slugs,
        "modules": [vars(summary) for summary in grid.modules],
        "learners_report": [
            {
                "username": row.username,
                "solved": row.solved,
                "attempted": row.attempted,
                "last_active": row.last_active,
                "exercises": [
                    {"exercise": slug, "attempts": cell[0], "best_score": cell[1], "solved": cell[2] is not None}
                    for slug, cell in zip(slugs, row.cells, strict=True)
                    if cell
                ],
            }
            for row in grid.rows
        ],
        "inactive": [row.username for row in grid.inactive],
    }


@teaching.get(
    "/cohorts/{cohort_id}/exercises/{slug}",
    response={200: schemas.ExerciseReportOut, **ERRORS},
    summary="How a cohort fares on one exercise",
)
def cohort_exercise_report(request, cohort_id: int, slug: str):
    cohort = teaching_access.cohort_for(request.user, cohort_id)
    exercise = teaching_access.authoring_exercise_for(request.user, slug)
    report = cohort.exercise_report(exercise)
    return {
        "cohort": cohort.pk,
        "exercise": exercise.slug,
        "learners": report.learners,
        "attempted": report.attempted,
        "solved": report.solved,
        "success_rate": report.success_rate,
        "median_attempts": report.median_attempts,
        "median_seconds_to_solve": report.median_time.total_seconds() if report.median_time is not None else None,
        "failing_cases": [{"name": name, "learners": n} for name, n in report.failing_cases],
        "mistakes": [{"name": name, "learners": n} for name, n in report.mistakes],
    }


api.add_router("/", router)
api.add_router("/", teaching)


def not_found(request, rest: str = ""):
    """Any other path under /api/ answers in the API's error shape, not with an HTML page."""
    return error_response(request, 404, "No such endpoint; see /api/docs.")
