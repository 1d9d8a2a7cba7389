import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exercises import access as learner_access
from exercises.content import ContentError
from exercises.markdown import render_markdown_or_escape
from exercises.models import (
    AuditEvent,
    Exercise,
    ExerciseProgress,
    Module,
    Submission,
    module_progress,
    module_quiz_scores,
)
from mlcourse.security import limit_posts

from . import access, charts, exchange, reports
from .forms import (
    CoauthorForm,
    CohortForm,
    DeadlineForm,
    ExerciseForm,
    ExpressionPreviewForm,
    ImportForm,
    JoinForm,
    PreviewForm,
    PublishForm,
    SelectionForm,
)
from .models import Cohort, Deadline, Regrade, ValidationRun

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
    context = {
        "cohort": cohort,
        "board": cohort.dashboard(reports.DashboardFilter.from_query(request.GET)),
        "statuses": reports.DashboardFilter.STATUSES.items(),
        "join_url": request.build_absolute_uri(cohort.get_join_url()),
    }
    return render(request, "teaching/cohort.html", context)


@login_required
@require_GET
def cohort_completion(request, pk):
    """The modules' completion over time, drawn when the cohort page asks for it (htmx), so
    that the grid itself stays as fast as its few queries."""
    cohort = access.cohort_for(request.user, pk)
    context = {"cohort": cohort, "chart": charts.cohort_completion(cohort)}
    return render(request, "teaching/_completion.html" if request.htmx else "teaching/completion.html", context)


@login_required
@require_GET
def cohort_hardest(request, pk):
    """The exercises most of the cohort has not solved, asked for by the cohort page (htmx):
    counting them reads every progress row of the cohort, which the grid need not wait for."""
    cohort = access.cohort_for(request.user, pk)
    context = {"cohort": cohort, "hardest": cohort.hardest()}
    return render(request, "teaching/_hardest.html" if request.htmx else "teaching/hardest.html", context)


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
    """Every learner × every exercise: the best score (0 to 1), empty when not started."""
    cohort = access.cohort_for(request.user, pk)
    grid = cohort.grid()
    response, writer = _csv_response(f"cohort-{cohort.pk}-grid.csv")
    writer.writerow(["learner", "solved", "attempted", *[exercise.slug for exercise in grid.exercises]])
    for row in grid.rows:
        cells = ["" if cell is None else f"{cell[1]:.2f}" for cell in row.cells]
        writer.writerow([row.username, row.solved, row.attempted, *cells])
    return response


@login_required
@require_GET
def cohort_gradebook_csv(request, pk):
    """One row per learner, one column per module and quiz, in percent, in the layout Canvas
    imports (and Moodle, mapping "SIS Login ID" to the username)."""
    cohort = access.cohort_for(request.user, pk)
    columns, rows = cohort.gradebook()
    response, writer = _csv_response(f"cohort-{cohort.pk}-gradebook.csv")
    writer.writerow(columns)
    writer.writerows(rows)
    return response


@login_required
@require_GET
def cohort_scores_csv(request, pk):
    cohort = access.cohort_for(request.user, pk)
    response, writer = _csv_response(f"cohort-{cohort.pk}-scores.csv")
    writer.writerow(
        [
            "learner",
            "module",
            "exercise",
            "attempts",
            "best_score",
            "solved_at",
            "first_submitted_at",
            "last_submitted_at",
        ]
    )
    rows = (
        ExerciseProgress.objects.filter(learner__enrollments__cohort=cohort)
        .order_by("learner__username", "exercise__module__order", "exercise__order")
        .values_list(
            "learner__username",
            "exercise__module__slug",
            "exercise__slug",
            "attempts",
            "best_score",
            "solved_at",
            "first_submitted_at",
            "last_submitted_at",
        )
    )
    for username, module, slug, attempts, best, solved_at, first, last in rows:
        writer.writerow(
            [
                username,
                module,
                slug,
                attempts,
                f"{best:.4f}",
                solved_at.isoformat() if solved_at else "",
                first.isoformat(),
                last.isoformat(),
            ]
        )
    return response


@login_required
@require_GET
def cohort_exercise(request, pk, slug):
    cohort = access.cohort_for(request.user, pk)
    exercise = access.authoring_exercise_for(request.user, slug)
    report = cohort.exercise_report(exercise)
    context = {
        "cohort": cohort,
        "report": report,
        "chart": charts.exercise_chart(report),
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
    submissions = (
        Submission.objects.of(learner).select_related("exercise", "version").prefetch_related("regradings__version")
    )
    # Reached from a dashboard cell: only that exercise's or module's submissions.
    only = ""
    if request.GET.get("exercise"):
        submissions = submissions.filter(exercise__slug=request.GET["exercise"][:100])
        only = request.GET["exercise"][:100]
    elif request.GET.get("module"):
        submissions = submissions.filter(exercise__module__slug=request.GET["module"][:100])
        only = request.GET["module"][:100]
    page = Paginator(submissions, 25).get_page(request.GET.get("page"))
    context = {
        "cohort": cohort,
        "learner": learner,
        "rows": [(m, progress[m.pk]) for m in modules],
        "page": page,
        "only": only,
    }
    return render(request, "teaching/cohort_learner.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_settings(request, pk):
    """Rename the cohort, add or remove instructors, remove learners."""
    cohort = access.cohort_for(request.user, pk)
    form = CohortForm(request.POST or None, instance=cohort)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "rename" and form.is_valid():
            form.save()
            messages.success(request, f"Renamed to {cohort.name}.")
        elif action == "add-instructor":
            instructor = CoauthorForm({"username": request.POST.get("username", "")})
            if instructor.is_valid():
                cohort.instructors.add(instructor.cleaned_data["username"])
                messages.success(request, f"{instructor.cleaned_data['username'].username} now teaches {cohort.name}.")
            else:
                messages.error(request, " ".join(instructor.errors["username"]))
        elif action == "remove-instructor" and request.POST.get("user", "").isdecimal():
            if cohort.instructors.count() > 1:
                cohort.instructors.remove(int(request.POST["user"]))
            else:
                messages.error(request, "A cohort keeps at least one instructor.")
        elif action == "remove-learner" and request.POST.get("user", "").isdecimal():
            removed = cohort.enrollments.filter(learner_id=int(request.POST["user"])).delete()[0]
            if removed:
                messages.info(request, "Removed from the cohort; their submissions are kept.")
        elif action == "deadline":
            deadline = DeadlineForm(request.POST)
            if deadline.is_valid():
                Deadline.objects.update_or_create(
                    cohort=cohort, module=deadline.cleaned_data["module"], quiz=deadline.cleaned_data["quiz"],
                    defaults={"due_at": deadline.cleaned_data["due_at"], "late_policy": deadline.cleaned_data["late_policy"]},
                )  # fmt: skip
                messages.success(request, "Deadline saved: learners see it on the module's pages.")
            else:
                messages.error(request, " ".join(str(error) for errors in deadline.errors.values() for error in errors))
        elif action == "remove-deadline" and request.POST.get("deadline", "").isdecimal():
            cohort.deadlines.filter(pk=int(request.POST["deadline"])).delete()
        elif action == "select":
            selection = SelectionForm(request.POST)
            if selection.is_valid():
                cohort.select(selection.cleaned_data["slugs"])
                messages.success(
                    request,
                    "Selection saved." if selection.cleaned_data["slugs"] else "Every published exercise again.",
                )
            else:
                messages.error(request, " ".join(selection.errors["slugs"]))
        return redirect("teaching:cohort_settings", pk=cohort.pk)
    chosen = "\n".join(cohort.selections.values_list("exercise__slug", flat=True))
    context = {
        "cohort": cohort,
        "form": form,
        "instructors": cohort.instructors.order_by("username"),
        "enrollments": cohort.enrollments.select_related("learner").order_by("learner__username"),
        "deadlines": cohort.deadlines.select_related("module"),
        "deadline_form": DeadlineForm(),
        "selection_form": SelectionForm(initial={"slugs": chosen}),
    }
    return render(request, "teaching/cohort_settings.html", context)


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
    initial = {"kind": request.GET.get("kind", "code"), "module": request.GET.get("module")}
    form = ExerciseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        exercise, _, _ = form.save(by=request.user)
        messages.success(request, f"Created {exercise.slug} (unpublished). Validate it, then publish it.")
        return redirect("teaching:exercise", slug=exercise.slug)
    return render(request, "teaching/exercise_form.html", {"form": form, "exercise": None})


@login_required
@require_http_methods(["GET", "POST"])
def exercise_edit(request, slug):
    exercise = access.changeable_exercise_for(request.user, slug)
    if exercise.latest_version is None:
        messages.error(request, "This exercise has no content yet.")
        return redirect("teaching:home")
    form = ExerciseForm(request.POST or None, exercise=exercise)
    if request.method == "POST" and form.is_valid():
        exercise, version, changed = form.save(by=request.user)
        if not changed:
            messages.info(request, "Nothing changed: no new version.")
        elif version.is_draft:
            messages.success(
                request,
                f"Saved as draft version {version.number}. Learners keep version {exercise.current_version.number} "
                "until you validate the draft and publish it.",
            )
        else:
            messages.success(request, f"Saved as version {version.number}. Validate it, then publish it.")
        return redirect("teaching:exercise", slug=exercise.slug)
    return render(request, "teaching/exercise_form.html", {"form": form, "exercise": exercise})


@login_required
@require_POST
@limit_posts("preview")
def preview(request):
    access.instructor_required(request.user)
    form = PreviewForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    return HttpResponse(render_markdown_or_escape(text))


@login_required
@require_POST
@limit_posts("preview")
def expression_preview(request):
    """How the checker reads an expected answer or a mistake as the author types it."""
    access.instructor_required(request.user)
    form = ExpressionPreviewForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Name the field to preview.")
    reading = Exercise.read_expression(form.cleaned_data["spec"], form.cleaned_data["text"])
    return render(request, "exercises/_preview.html", {"preview": reading})


def _latest_run(version) -> ValidationRun | None:
    return ValidationRun.objects.filter(version=version).first() if version else None


@login_required
@require_GET
def exercise_detail(request, slug):
    exercise = access.authoring_exercise_for(request.user, slug)
    version = exercise.latest_version
    run = _latest_run(version)
    context = {
        "exercise": exercise,
        "version": version,
        "live": exercise.current_version,
        "draft": exercise.draft_version,
        "versions": exercise.versions.select_related("author", "published_by"),
        "run": run,
        "problems": run.gate_problems() if run else ["it has not been validated"],
        "publish_form": PublishForm(problems=[]),
        "can_change": exercise.can_change(request.user),
        "coauthors": exercise.coauthors.all(),
        "coauthor_form": CoauthorForm(),
        "events": AuditEvent.objects.of_exercise(exercise)[:50],
        "cohorts": Cohort.objects.taught_by(request.user).order_by("name"),
    }
    return render(request, "teaching/exercise.html", context)


@login_required
@require_POST
def exercise_validate(request, slug):
    exercise = access.authoring_exercise_for(request.user, slug)
    if exercise.latest_version is None:
        messages.error(request, "This exercise has no content to validate.")
        return redirect("teaching:home")
    run = ValidationRun.start(exercise.latest_version, request.user)
    return redirect(run)


@login_required
@require_GET
def validation_detail(request, pk):
    run = access.validation_run_for(request.user, pk)
    template = "teaching/_validation.html" if request.htmx else "teaching/validation.html"
    return render(request, template, {"run": run, "exercise": run.version.exercise, "problems": run.gate_problems()})


@login_required
@require_POST
def exercise_publish(request, slug):
    """Publish the latest version (the draft, or a never-published exercise's current one) if
    it passes the gate, or with a written reason to override it."""
    exercise = access.changeable_exercise_for(request.user, slug)
    version = exercise.latest_version
    run = _latest_run(version)
    problems = run.gate_problems() if run else ["it has not been validated"]
    form = PublishForm(request.POST, problems=problems)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["override_reason"]))
        return redirect("teaching:exercise", slug=slug)
    exercise.publish(version, by=request.user, override_reason=form.cleaned_data["override_reason"] if problems else "")
    messages.success(request, f"Published version {version.number} of {exercise.slug}: learners get it now.")
    return redirect("teaching:exercise", slug=slug)


@login_required
@require_POST
def exercise_unpublish(request, slug):
    exercise = access.changeable_exercise_for(request.user, slug)
    exercise.unpublish(by=request.user)
    messages.info(request, f"Unpublished {exercise.slug}: learners no longer see it.")
    return redirect("teaching:exercise", slug=slug)


@login_required
@require_POST
def exercise_copy(request, slug):
    """A copy of any exercise, owned by the one who copies it, unpublished."""
    exercise = access.authoring_exercise_for(request.user, slug)
    copy = exercise.copy_for(request.user)
    messages.success(request, f"Copied {exercise.slug} as {copy.slug}: it is yours to change.")
    return redirect("teaching:exercise", slug=copy.slug)


@login_required
@require_POST
def exercise_coauthors(request, slug):
    exercise = access.changeable_exercise_for(request.user, slug)
    remove = request.POST.get("remove", "")
    if remove:
        user = exercise.coauthors.filter(pk=int(remove)).first() if remove.isdecimal() else None
        if user is not None:
            exercise.coauthors.remove(user)
            AuditEvent.record(
                AuditEvent.Action.SHARED, actor=request.user, exercise=exercise, detail=f"removed {user.username}"
            )
        return redirect("teaching:exercise", slug=slug)
    form = CoauthorForm(request.POST)
    if form.is_valid():
        exercise.coauthors.add(form.cleaned_data["username"])
        AuditEvent.record(
            AuditEvent.Action.SHARED,
            actor=request.user,
            exercise=exercise,
            detail=f"added {form.cleaned_data['username'].username}",
        )
        messages.success(request, f"{form.cleaned_data['username'].username} can now change {exercise.slug}.")
    else:
        messages.error(request, " ".join(form.errors["username"]))
    return redirect("teaching:exercise", slug=slug)


@login_required
@require_GET
def exercise_version_diff(request, slug, number):
    """What changed between two versions (by default, this one and the one before)."""
    exercise = access.authoring_exercise_for(request.user, slug)
    version = get_object_or_404(exercise.versions, number=number)
    against_number = learner_access.positive_int(request.GET.get("against")) or max(1, number - 1)
    against = get_object_or_404(exercise.versions, number=against_number)
    context = {
        "exercise": exercise,
        "version": version,
        "against": against,
        "versions": exercise.versions.all(),
        "lines": exchange.version_diff(exercise, against, version),
        "can_change": exercise.can_change(request.user),
    }
    return render(request, "teaching/version_diff.html", context)


@login_required
@require_POST
def exercise_rollback(request, slug, number):
    exercise = access.changeable_exercise_for(request.user, slug)
    old = get_object_or_404(exercise.versions, number=number)
    new = exercise.roll_back(old, by=request.user)
    if new.is_draft:
        messages.success(
            request,
            f"Draft version {new.number} has the content of version {old.number}: validate it, then publish it.",
        )
    else:
        messages.success(request, f"Version {new.number} has the content of version {old.number}.")
    return redirect("teaching:exercise", slug=slug)


@login_required
@require_GET
def exercise_audit_csv(request, slug):
    exercise = access.authoring_exercise_for(request.user, slug)
    response, writer = _csv_response(f"{exercise.slug}-audit.csv")
    writer.writerow(["when", "who", "action", "version", "detail"])
    for event in AuditEvent.objects.of_exercise(exercise):
        who = event.actor.username if event.actor else "the course files"
        writer.writerow(
            [
                event.created_at.isoformat(),
                who,
                event.action,
                event.version.number if event.version else "",
                event.detail,
            ]
        )
    return response


@login_required
@require_GET
def exercise_export(request, slug):
    exercise = access.authoring_exercise_for(request.user, slug)
    if exercise.latest_version is None:
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
    to_confirm = []
    if request.method == "POST" and form.is_valid():
        files = [(upload.name, upload.read()) for upload in form.cleaned_data["files"]]
        try:
            outcomes = exchange.import_upload(
                files, form.cleaned_data["module"], by=request.user, confirm=form.cleaned_data["confirm"]
            )
        except exchange.NeedsConfirmation as exc:
            to_confirm = exc.changes
            form.add_error(
                "confirm", "This import changes existing exercises: check the list, tick the box and upload again."
            )
        except ContentError as exc:
            form.add_error("files", str(exc))
        else:
            messages.success(request, "Imported. " + "; ".join(outcomes) + ".")
            return redirect("teaching:home")
    return render(request, "teaching/import.html", {"form": form, "to_confirm": to_confirm})


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
    exercises = list(
        Exercise.objects.published().problem_set().select_related("module").order_by("module__order", "order", "slug")
    )
    unsolved = [exercise for exercise in exercises if exercise.pk not in solved]
    # Finish what was started, then open the first exercise not yet tried.
    started = [exercise for exercise in unsolved if exercise.pk in attempted][:3]
    next_up = started + [exercise for exercise in unsolved if exercise.pk not in attempted][:1]
    quizzes = module_quiz_scores(request.user, modules)
    rows = [
        (module, progress[module.pk], quizzes.get(module.pk))
        for module in modules
        if progress[module.pk]["total"] or module.pk in quizzes
    ]
    context = {"rows": rows, "next_up": next_up, "cohorts": request.user.cohorts.all(), "join_form": JoinForm()}
    return render(request, "teaching/my_progress.html", context)
