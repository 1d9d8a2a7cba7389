import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exercises import access
from exercises.content import ContentError
from exercises.markdown import render_markdown_or_escape
from exercises.models import Exercise, ExerciseProgress, Module, Submission, module_progress
from mlcourse.security import limit_posts

from . import exchange
from .forms import CohortForm, ExerciseForm, ImportForm, JoinForm, PreviewForm
from .models import Cohort, Regrade, ValidationRun


def _days(request) -> int:
    days = access.positive_int(request.GET.get("days"))
    return min(days, 3650) if days else 7


# --- instructors: home, cohorts -------------------------------------------------------------


@login_required
@require_GET
def home(request):
    access.instructor_required(request.user)
    context = {
        "cohorts": Cohort.objects.taught_by(request.user).prefetch_related("instructors").order_by("name"),
        "modules": Module.objects.prefetch_related("exercises"),
        "cohort_form": CohortForm(),
    }
    return render(request, "teaching/home.html", context)


@login_required
@require_POST
def cohort_create(request):
    access.instructor_required(request.user)
    form = CohortForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A cohort needs a name.")
        return redirect("teaching:home")
    cohort = form.save()
    cohort.instructors.add(request.user)
    return redirect(cohort)


@login_required
@require_GET
def cohort_detail(request, pk):
    cohort = access.cohort_for(request.user, pk)
    grid = cohort.grid(inactive_days=_days(request))
    return render(request, "teaching/cohort.html", {"cohort": cohort, "grid": grid, "join_url": request.build_absolute_uri(cohort.get_join_url())})


@login_required
@require_POST
def cohort_new_invite(request, pk):
    cohort = access.cohort_for(request.user, pk)
    cohort.new_invite()
    messages.success(request, "New invite code: the old link no longer works.")
    return redirect(cohort)


def _csv_response(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv.writer(response)


@login_required
@require_GET
def cohort_grid_csv(request, pk):
    cohort = access.cohort_for(request.user, pk)
    grid = cohort.grid()
    response, writer = _csv_response(f"cohort-{cohort.pk}-grid.csv")
    writer.writerow(["learner", "solved", "attempted", *[exercise.slug for exercise in grid.exercises]])
    for row in grid.rows:
        cells = ["solved" if cell and cell[2] else "attempted" if cell else "" for cell in row.cells]
        writer.writerow([row.username, row.solved, row.attempted, *cells])
    return response


@login_required
@require_GET
def cohort_scores_csv(request, pk):
    cohort = access.cohort_for(request.user, pk)
    response, writer = _csv_response(f"cohort-{cohort.pk}-scores.csv")
    writer.writerow(["learner", "module", "exercise", "attempts", "best_score", "solved_at", "first_submitted_at", "last_submitted_at"])
    rows = (
        ExerciseProgress.objects.filter(learner__enrollments__cohort=cohort)
        .order_by("learner__username", "exercise__module__order", "exercise__order")
        .values_list(
            "learner__username", "exercise__module__slug", "exercise__slug", "attempts", "best_score",
            "solved_at", "first_submitted_at", "last_submitted_at",
        )
    )
    for username, module, slug, attempts, best, solved_at, first, last in rows:
        writer.writerow([username, module, slug, attempts, f"{best:.4f}", solved_at.isoformat() if solved_at else "", first.isoformat(), last.isoformat()])
    return response


@login_required
@require_GET
def cohort_exercise(request, pk, slug):
    cohort = access.cohort_for(request.user, pk)
    exercise = access.authoring_exercise_for(request.user, slug)
    context = {
        "cohort": cohort,
        "report": cohort.exercise_report(exercise),
        "to_regrade": Regrade.candidates(cohort, exercise).count() if exercise.current_version_id else 0,
        "regrades": Regrade.objects.filter(cohort=cohort, exercise=exercise)[:5],
    }
    return render(request, "teaching/cohort_exercise.html", context)


@login_required
@require_GET
def cohort_learner(request, pk, learner_id):
    cohort = access.cohort_for(request.user, pk)
    learner = access.cohort_learner_for(request.user, cohort, learner_id)
    modules = list(Module.objects.all())
    progress = module_progress(learner, modules)
    submissions = Submission.objects.of(learner).select_related("exercise", "version")
    page = Paginator(submissions, 25).get_page(request.GET.get("page"))
    context = {"cohort": cohort, "learner": learner, "rows": [(m, progress[m.pk]) for m in modules], "page": page}
    return render(request, "teaching/cohort_learner.html", context)


@login_required
@require_POST
def regrade_start(request, pk, slug):
    cohort = access.cohort_for(request.user, pk)
    exercise = access.authoring_exercise_for(request.user, slug)
    if exercise.current_version_id is None:
        messages.error(request, "This exercise has no version to grade against.")
        return redirect("teaching:cohort_exercise", pk=cohort.pk, slug=slug)
    regrade = Regrade.start(cohort, exercise, request.user)
    return redirect(regrade)


@login_required
@require_GET
def regrade_detail(request, pk):
    regrade = access.regrade_for(request.user, pk)
    template = "teaching/_regrade_progress.html" if request.htmx else "teaching/regrade.html"
    return render(request, template, {"regrade": regrade, "progress": regrade.progress()})


# --- instructors: authoring ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def exercise_new(request):
    access.instructor_required(request.user)
    initial = {"kind": request.GET.get("kind", Exercise.Kind.CODE), "module": request.GET.get("module")}
    form = ExerciseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        exercise = form.save()
        messages.success(request, f"Created {exercise.slug} (unpublished). Validate it, then publish it.")
        return redirect("teaching:exercise", slug=exercise.slug)
    return render(request, "teaching/exercise_form.html", {"form": form, "exercise": None})


@login_required
@require_http_methods(["GET", "POST"])
def exercise_edit(request, slug):
    exercise = access.authoring_exercise_for(request.user, slug)
    if exercise.current_version_id is None:
        messages.error(request, "This exercise has no content yet.")
        return redirect("teaching:home")
    form = ExerciseForm(request.POST or None, exercise=exercise)
    if request.method == "POST" and form.is_valid():
        before = exercise.current_version_id
        exercise = form.save()
        if exercise.current_version_id != before:
            messages.success(request, f"Saved as version {exercise.current_version.number}. Validate it; past submissions keep their version.")
        else:
            messages.info(request, "Nothing in the content changed: no new version.")
        return redirect("teaching:exercise", slug=exercise.slug)
    return render(request, "teaching/exercise_form.html", {"form": form, "exercise": exercise})


@login_required
@require_POST
@limit_posts("preview")
def preview(request):
    access.instructor_required(request.user)
    form = PreviewForm(request.POST)
    text = form.cleaned_data["statement"] if form.is_valid() else ""
    return HttpResponse(render_markdown_or_escape(text))


@login_required
@require_GET
def exercise_detail(request, slug):
    exercise = access.authoring_exercise_for(request.user, slug)
    version = exercise.current_version
    runs = ValidationRun.objects.filter(version=version)[:1] if version else []
    context = {
        "exercise": exercise,
        "version": version,
        "versions": exercise.versions.all(),
        "run": runs[0] if runs else None,
        "cohorts": Cohort.objects.taught_by(request.user).order_by("name"),
    }
    return render(request, "teaching/exercise.html", context)


@login_required
@require_POST
def exercise_validate(request, slug):
    exercise = access.authoring_exercise_for(request.user, slug)
    if exercise.current_version_id is None:
        messages.error(request, "This exercise has no content to validate.")
        return redirect("teaching:home")
    run = ValidationRun.start(exercise.current_version, request.user)
    return redirect(run)


@login_required
@require_GET
def validation_detail(request, pk):
    run = access.validation_run_for(request.user, pk)
    template = "teaching/_validation.html" if request.htmx else "teaching/validation.html"
    return render(request, template, {"run": run, "exercise": run.version.exercise})


@login_required
@require_POST
def exercise_publish(request, slug):
    exercise = access.authoring_exercise_for(request.user, slug)
    with transaction.atomic():
        run = ValidationRun.objects.filter(version_id=exercise.current_version_id, status=ValidationRun.Status.DONE).first()
        if run is None:
            messages.error(request, "Validate this version before publishing it.")
        elif not run.reference_ok:
            messages.error(request, "Not published: the reference solution fails its own cases.")
        else:
            Exercise.objects.filter(pk=exercise.pk).update(published=True, updated_at=timezone.now())
            messages.success(request, f"Published {exercise.slug}: learners can see it now.")
    return redirect("teaching:exercise", slug=slug)


@login_required
@require_POST
def exercise_unpublish(request, slug):
    exercise = access.authoring_exercise_for(request.user, slug)
    Exercise.objects.filter(pk=exercise.pk).update(published=False, updated_at=timezone.now())
    messages.info(request, f"Unpublished {exercise.slug}: learners no longer see it.")
    return redirect("teaching:exercise", slug=slug)


@login_required
@require_GET
def exercise_export(request, slug):
    exercise = access.authoring_exercise_for(request.user, slug)
    if exercise.current_version_id is None:
        messages.error(request, "This exercise has no content to export.")
        return redirect("teaching:home")
    response = HttpResponse(exchange.export_exercise(exercise), content_type="application/x-yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exercise.slug}.yaml"'
    return response


@login_required
@require_GET
def module_export(request, slug):
    access.instructor_required(request.user)
    module = get_object_or_404(Module.objects.select_related("lesson"), slug=slug)
    response = HttpResponse(exchange.export_module(module), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{module.slug}.zip"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_files(request):
    access.instructor_required(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                imported = [
                    exercise
                    for upload in form.cleaned_data["files"]
                    for exercise in exchange.import_upload(upload.name, upload.read(), form.cleaned_data["module"])
                ]
        except ContentError as exc:
            form.add_error("files", str(exc))
        else:
            messages.success(request, f"Imported {', '.join(e.slug for e in imported)}. New exercises stay unpublished until validated.")
            return redirect("teaching:home")
    return render(request, "teaching/import.html", {"form": form})


# --- learners -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def join(request, code):
    cohort = get_object_or_404(Cohort, invite_code=code)
    if request.method == "POST":
        cohort.enroll(request.user)
        messages.success(request, f"You joined {cohort.name}.")
        return redirect("teaching:my_progress")
    return render(request, "teaching/join.html", {"cohort": cohort})


@login_required
@require_POST
def join_by_code(request):
    form = JoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("code", [])))
        return redirect("teaching:my_progress")
    form.cohort.enroll(request.user)
    messages.success(request, f"You joined {form.cohort.name}.")
    return redirect("teaching:my_progress")


@login_required
@require_GET
def my_progress(request):
    modules = list(Module.objects.all())
    progress = module_progress(request.user, modules)
    solved = set(ExerciseProgress.objects.filter(learner=request.user).solved().values_list("exercise_id", flat=True))
    attempted = set(ExerciseProgress.objects.filter(learner=request.user).values_list("exercise_id", flat=True))
    exercises = list(Exercise.objects.published().problem_set().select_related("module").order_by("module__order", "order", "slug"))
    unsolved = [exercise for exercise in exercises if exercise.pk not in solved]
    # Finish what was started, then open the first exercise not yet tried.
    started = [exercise for exercise in unsolved if exercise.pk in attempted][:3]
    next_up = started + [exercise for exercise in unsolved if exercise.pk not in attempted][:1]
    rows = [(module, progress[module.pk]) for module in modules if progress[module.pk]["total"]]
    context = {"rows": rows, "next_up": next_up, "cohorts": request.user.cohorts.all(), "join_form": JoinForm()}
    return render(request, "teaching/my_progress.html", context)
