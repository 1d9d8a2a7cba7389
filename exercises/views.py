import hashlib

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from mlcourse.security import limit_posts

from . import access
from .forms import AnswerForm, SignupForm
from .models import ExerciseProgress, Module, QuizAttempt, Submission, module_progress
from .push import wait_for_verdict


@require_GET
def home(request):
    modules = list(Module.objects.all())
    progress = module_progress(request.user, modules)
    rows = [(module, progress[module.pk]) for module in modules]
    return render(request, "exercises/home.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@limit_posts("signup", user_key=None)
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}! Start with the first module's lesson.")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@require_GET
def module_detail(request, slug):
    module = access.module_for(request.user, slug)
    exercises = list(module.problem_set_for(request.user).prefetch_related("topics"))
    progress = {}
    if request.user.is_authenticated:
        progress = {
            p.exercise_id: p for p in ExerciseProgress.objects.filter(learner=request.user, exercise__in=exercises)
        }
    rows = [(exercise, progress.get(exercise.pk)) for exercise in exercises]
    context = {
        "module": module,
        "lesson": getattr(module, "lesson", None),
        "rows": rows,
        "quiz_questions": module.exercises.published().quiz_questions().count(),
        "deadline": module.deadline_for(request.user),
        "quiz_deadline": module.deadline_for(request.user, quiz=True),
    }
    return render(request, "exercises/module.html", context)


@require_http_methods(["GET", "POST"])
@limit_posts("submit")
def exercise_detail(request, slug):
    exercise = access.exercise_for(request.user, slug)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(exercise.get_absolute_url())
    history = (
        Submission.objects.of(request.user).filter(exercise=exercise)[:20] if request.user.is_authenticated else []
    )
    answer_kind = exercise.answer_kind
    latest = history[0] if history else None
    restored = _restored(request, exercise)
    initial = latest.answer if latest and answer_kind.keeps_last_answer() else answer_kind.starter(exercise.spec)
    initial = restored.answer if restored else initial
    form = AnswerForm(exercise, request.POST or None, initial_answer=initial)
    submission = None
    status = 422
    if request.method == "POST" and form.is_valid():
        try:
            submission = Submission.submit(request.user, exercise, form.cleaned_data["answer"])
        except Submission.TooManyPending as exc:
            form.add_error("answer", str(exc))
            status = 429
        except Submission.PastDeadline as exc:
            form.add_error("answer", str(exc))
            status = 403
        else:
            if request.htmx:
                return render(request, "exercises/_submitted.html", {"submission": submission})
            return redirect(f"{exercise.get_absolute_url()}?submission={submission.pk}#result")
    if request.htmx and request.method == "POST":
        # A refusal is shown next to the Submit button, not in place of the last verdict.
        response = render(request, "exercises/_form_errors.html", {"form": form}, status=status)
        return reswap(retarget(response, "#form-errors"), "innerHTML")
    shown = access.positive_int(request.GET.get("submission"))
    if submission is None and shown is not None and request.user.is_authenticated:
        submission = access.submission_for(request.user, shown)
    context = {
        "exercise": exercise,
        "version": exercise.current_version,
        "statement": exercise.current_version.statement_for(exercise.context_for(request.user)),
        "form": form,
        "submission": submission,
        "history": history,
        "restored": restored,
        "deadline": exercise.module.deadline_for(request.user, quiz=exercise.in_quiz),
        "next_exercise": _next_exercise(exercise, request.user),
    }
    return render(request, "exercises/exercise.html", context)


def _restored(request, exercise):
    """The past submission `?restore=<id>` puts back in the answer form (the page's
    "Restore" link without JavaScript), if it is the learner's own, of this exercise."""
    pk = access.positive_int(request.GET.get("restore"))
    if request.method != "GET" or pk is None or not request.user.is_authenticated:
        return None
    submission = access.submission_for(request.user, pk)
    return submission if submission.exercise_id == exercise.pk else None


@login_required
@require_GET
def submission_answer(request, pk):
    """A submission's answer as plain text: what "Restore into the editor" puts back."""
    submission = access.submission_for(request.user, pk)
    return HttpResponse(submission.answer, content_type="text/plain; charset=utf-8")


def _next_exercise(exercise, learner):
    """The exercise after this one in the learner's problem set, if any."""
    if exercise.in_quiz:
        return None
    problem_set = list(exercise.module.problem_set_for(learner).only("pk", "slug", "title"))
    index = next((i for i, other in enumerate(problem_set) if other.pk == exercise.pk), None)
    return problem_set[index + 1] if index is not None and index + 1 < len(problem_set) else None


@login_required
@require_POST
@limit_posts("preview")
def exercise_preview(request, slug):
    """As the learner types: how the answer is read, before an attempt is spent on it."""
    exercise = access.exercise_for(request.user, slug)
    if not exercise.answer_kind.has_preview:
        return HttpResponseBadRequest("This kind of answer has no preview.")
    text = request.POST.get("answer") or next((v for k, v in request.POST.items() if k.endswith("-answer")), "")
    return render(request, "exercises/_preview.html", {"preview": exercise.preview_answer(text)})


@login_required
@require_GET
async def submission_detail(request, pk):
    """The submission's page, or for htmx its fragment. With `?wait=1` a pending submission's
    fragment is a long poll: it answers when the verdict is pushed (exercises/push.py), or
    after VERDICT_WAIT_SECONDS with the fragment still pending, which then asks again."""
    user = await request.auser()
    submission = await sync_to_async(access.submission_for)(user, pk)
    if request.htmx and submission.is_pending and request.GET.get("wait") == "1":

        async def still_pending() -> bool:
            return await Submission.objects.filter(pk=pk).pending().aexists()

        await wait_for_verdict(pk, still_pending, settings.VERDICT_WAIT_SECONDS)
        submission = await sync_to_async(access.submission_for)(user, pk)
    template = "exercises/_submission.html" if request.htmx else "exercises/submission.html"
    return await sync_to_async(render)(request, template, {"submission": submission})


PLOT_CACHE_SECONDS = 24 * 3600


@login_required
@require_GET
def submission_plot(request, pk, index):
    """One case's plot, drawn when the page asks for it (never while grading), from what the
    code returned on that case and the version's prepared cases. A hidden case has none."""
    submission = access.submission_for(request.user, pk)
    if index not in submission.plotted_cases:
        raise Http404("No plot for this case.")
    # By content, not only by id: ids come back after a database is reset, plots must not.
    digest = hashlib.sha256(bytes(submission.returned) + str(submission.version_id).encode()).hexdigest()[:20]
    key = f"plot:v1:{submission.pk}:{index}:{digest}"
    picture = cache.get(key)
    if picture is None:
        plot = submission.plot(index)
        picture = {"svg": plot.svg, "description": plot.description} if plot else {}
        cache.set(key, picture, PLOT_CACHE_SECONDS)
    context = {"submission": submission, "case": submission.result.cases[index], "picture": picture}
    template = "exercises/_plot.html" if request.htmx else "exercises/plot.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def quiz(request, slug):
    module = access.module_for(request.user, slug)
    if request.method == "POST":
        deadline = module.deadline_for(request.user, quiz=True)
        if deadline and deadline.late_policy == "refuse" and timezone.now() > deadline.due_at:
            messages.error(request, "The deadline for this quiz has passed: no new attempt can start.")
            return redirect("quiz", slug=slug)
        attempt = QuizAttempt.start(request.user, module)
        if attempt is None:
            messages.error(request, "You have used all your attempts at this quiz.")
            return redirect("quiz", slug=slug)
        return redirect(attempt)
    attempts = QuizAttempt.objects.filter(learner=request.user, module=module)
    context = {
        "module": module,
        "attempts": attempts,
        "questions": module.exercises.published().quiz_questions().count(),
        "remaining": max(0, module.quiz_max_attempts - attempts.count()),
        "open_attempt": attempts.open().first(),
        "deadline": module.deadline_for(request.user, quiz=True),
    }
    return render(request, "exercises/quiz.html", context)


def _quiz_question(
    attempt: QuizAttempt, exercise, submission=None, form=None, refusal: str = "", number: int | None = None
) -> dict:
    context = attempt.context_for(exercise)
    if number is None:
        number = list(attempt.questions().values_list("pk", flat=True)).index(exercise.pk) + 1
    return {
        "number": number,
        "exercise": exercise,
        "statement": exercise.current_version.statement_for(context),
        "submission": submission,
        "form": form or AnswerForm(exercise, prefix=f"q{exercise.pk}", choice_order=context.get("choice_order")),
        "refusal": refusal,
    }


def _quiz_questions(attempt: QuizAttempt) -> list[dict]:
    latest = attempt.latest_answers()
    return [
        _quiz_question(attempt, exercise, latest.get(exercise.pk), number=number)
        for number, exercise in enumerate(attempt.questions(), start=1)
    ]


def _quiz_update(request, attempt: QuizAttempt, question: dict | None = None, status: int = 200):
    """What an answer (or the page's wait for the attempt to close) changes, without a reload:
    the question's own item, the attempt's status and its Finish button; once the attempt has
    closed, every question, now with its feedback."""
    attempt.refresh_from_db()
    reveal = attempt.finished_at is not None and (
        question is None or attempt.module.quiz_feedback == Module.QuizFeedback.AT_END
    )
    context = {
        "attempt": attempt,
        "question": question,
        "reveal": reveal,
        "questions": _quiz_questions(attempt) if reveal else [],
    }
    response = render(request, "exercises/_quiz_update.html", context, status=status)
    if reveal:
        return reswap(retarget(response, "#quiz-questions"), "outerHTML")
    return response


@login_required
@require_GET
def quiz_attempt(request, pk):
    attempt = access.quiz_attempt_for(request.user, pk)
    if request.htmx and request.GET.get("part") == "status":
        return _quiz_update(request, attempt)
    return render(request, "exercises/quiz_attempt.html", {"attempt": attempt, "questions": _quiz_questions(attempt)})


@login_required
@require_POST
@limit_posts("submit")
def quiz_answer(request, pk, slug):
    """One answer to one question of an open attempt. Through htmx the answer's question is
    swapped in place (a refusal is shown there, with what was typed kept); without
    JavaScript the page is loaded again."""
    attempt = access.quiz_attempt_for(request.user, pk)
    exercise = access.exercise_for(request.user, slug)
    if exercise.module_id != attempt.module_id or not exercise.in_quiz:
        return HttpResponseBadRequest("This question is not part of this attempt.")

    def refuse(message: str, status: int, form=None, submission=None):
        if request.htmx:
            question = _quiz_question(attempt, exercise, submission, form, refusal=message)
            return _quiz_update(request, attempt, question, status=status)
        messages.error(request, f"{exercise.title}: {message}")
        return redirect(f"{attempt.get_absolute_url()}#q{exercise.pk}")

    if attempt.finished_at or attempt.finish_requested_at:
        return refuse("This attempt is closed; its answers can no longer change.", 409)
    previous = attempt.submissions.filter(exercise=exercise).first()
    if previous and previous.status != Submission.Status.ERROR:
        return refuse("You already answered this question in this attempt.", 409, submission=previous)
    context = attempt.context_for(exercise)
    form = AnswerForm(exercise, request.POST, prefix=f"q{exercise.pk}", choice_order=context.get("choice_order"))
    if not form.is_valid():
        return refuse(" ".join(form.errors.get("answer", [])), 422, form=form)
    unreadable = exercise.unreadable(form.cleaned_data["answer"])
    if unreadable:  # each question is answered once: a typo must not spend it
        return refuse(unreadable, 422, form=form)
    try:
        submission = attempt.answer(exercise, form.cleaned_data["answer"])
    except Submission.TooManyPending as exc:
        return refuse(str(exc), 429, form=form)
    except Submission.PastDeadline as exc:
        return refuse(str(exc), 403, form=form)
    if submission is None:  # answered meanwhile, in another tab
        return refuse(
            "You already answered this question in this attempt.",
            409,
            submission=attempt.submissions.filter(exercise=exercise).first(),
        )
    if request.htmx:
        submission.refresh_from_db()  # graded already when grading runs in this process
        return _quiz_update(request, attempt, _quiz_question(attempt, exercise, submission))
    return redirect(f"{attempt.get_absolute_url()}#q{exercise.pk}")


@login_required
@require_POST
def quiz_finish(request, pk):
    """Close the attempt; with questions left blank, only once the learner confirms."""
    attempt = access.quiz_attempt_for(request.user, pk)
    if attempt.finished_at is None:
        blanks = attempt.blanks()
        if blanks and request.POST.get("confirm") != "1":
            context = {"attempt": attempt, "questions": _quiz_questions(attempt), "confirm_blanks": blanks}
            return render(request, "exercises/quiz_attempt.html", context)
        attempt.request_finish()
    return redirect(attempt)
