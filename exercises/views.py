import hashlib

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpResponseBadRequest
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
        progress = {p.exercise_id: p for p in ExerciseProgress.objects.filter(learner=request.user, exercise__in=exercises)}
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
    history = Submission.objects.of(request.user).filter(exercise=exercise)[:20] if request.user.is_authenticated else []
    starter = exercise.spec.get("starter", "") if exercise.kind == exercise.Kind.CODE else ""
    latest = history[0] if history else None
    form = AnswerForm(exercise, request.POST or None, initial_answer=latest.answer if latest and exercise.kind == "code" else starter)
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
        "deadline": exercise.module.deadline_for(request.user, quiz=exercise.in_quiz),
        "next_exercise": _next_exercise(exercise, request.user),
    }
    return render(request, "exercises/exercise.html", context)


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
    if exercise.kind != exercise.Kind.SYMBOLIC:
        return HttpResponseBadRequest("Only symbolic answers have a preview.")
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


def _quiz_questions(attempt: QuizAttempt) -> list[dict]:
    latest = attempt.latest_answers()
    questions = []
    for exercise in attempt.questions():
        context = attempt.context_for(exercise)
        questions.append(
            {
                "exercise": exercise,
                "statement": exercise.current_version.statement_for(context),
                "submission": latest.get(exercise.pk),
                "form": AnswerForm(exercise, prefix=f"q{exercise.pk}", choice_order=context.get("choice_order")),
            }
        )
    return questions


@login_required
@require_GET
def quiz_attempt(request, pk):
    attempt = access.quiz_attempt_for(request.user, pk)
    return render(request, "exercises/quiz_attempt.html", {"attempt": attempt, "questions": _quiz_questions(attempt)})


@login_required
@require_POST
@limit_posts("submit")
def quiz_answer(request, pk, slug):
    attempt = access.quiz_attempt_for(request.user, pk)
    exercise = access.exercise_for(request.user, slug)
    if attempt.finished_at or attempt.finish_requested_at or exercise.module_id != attempt.module_id or not exercise.in_quiz:
        return HttpResponseBadRequest("This question is not part of an open attempt.")
    context = attempt.context_for(exercise)
    form = AnswerForm(exercise, request.POST, prefix=f"q{exercise.pk}", choice_order=context.get("choice_order"))
    if not form.is_valid():
        messages.error(request, f"{exercise.title}: {' '.join(form.errors.get('answer', []))}")
        return redirect(attempt)
    try:
        submission = attempt.answer(exercise, form.cleaned_data["answer"])
    except (Submission.TooManyPending, Submission.PastDeadline) as exc:
        messages.error(request, str(exc))
    else:
        if submission is None:
            messages.info(request, "You already answered this question in this attempt.")
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
