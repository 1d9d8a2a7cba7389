import csv
import io

import pytest
from django.urls import reverse

from exercises.models import AuditEvent, Exercise, ExerciseProgress, Submission
from teaching import exchange
from teaching.models import Enrollment, Regrade, ValidationRun

from .conftest import CODE_EXERCISE, REFERENCE, login, submit


def rows(name, *items):
    """A row set of the authoring form as the browser posts it (a Django formset)."""
    data = {f"{name}-TOTAL_FORMS": str(len(items)), f"{name}-INITIAL_FORMS": "0"}
    for index, item in enumerate(items):
        data.update({f"{name}-{index}-{key}": value for key, value in item.items()})
    return data


def form_data(module, **overrides):
    data = {
        "module": module.pk,
        "slug": "row-sums",
        "title": "Row sums",
        "kind": "code",
        "difficulty": "core",
        "points": 1,
        "topics": ["t.means"],
        "statement": "Return the sum of each row of $X$.",
        "hints": "Sum along an axis.\n---\nWhich axis runs along a row?",
        "entry_point": "row_sums",
        "starter": "def row_sums(X):\n    raise NotImplementedError\n",
        "reference": "import numpy as np\n\ndef row_sums(X):\n    return np.asarray(X, dtype=float).sum(axis=1)\n",
        "cases": (
            "import numpy as np\n\ndef cases(rng):\n"
            '    yield {"name": "2x3", "args": [np.arange(6.0).reshape(2, 3)]}\n'
            '    yield {"name": "random", "args": [rng.normal(size=(3, 4))], "hidden": True}\n'
        ),
        "compare_method": "allclose",
        "rtol": "1e-6",
        "atol": "1e-9",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("name", ["teaching:home", "teaching:exercise_new", "teaching:import"])
def test_it_hides_teaching_pages_from_learners(client, learner, name):
    assert login(client, learner).get(reverse(name)).status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("teaching:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_shows_a_cohort_only_to_its_instructors(client, cohort, instructor, other_instructor, learner):
    url = reverse("teaching:cohort", args=[cohort.pk])
    assert login(client, instructor).get(url).status_code == 200
    assert login(client, other_instructor).get(url).status_code == 404
    assert login(client, learner).get(url).status_code == 404
    for name in ("teaching:cohort_grid_csv", "teaching:cohort_scores_csv"):
        assert login(client, other_instructor).get(reverse(name, args=[cohort.pk])).status_code == 404


def test_it_shows_a_submission_to_its_learner_and_their_instructor_only(
    client, graded, learner, other_learner, instructor, other_instructor
):
    first, _second, theirs = graded
    url = reverse("submission", args=[first.pk])
    assert login(client, learner).get(url).status_code == 200
    assert login(client, instructor).get(url).status_code == 200
    assert login(client, other_learner).get(url).status_code == 404
    assert login(client, other_instructor).get(url).status_code == 404
    # The other cohort's learner is not the instructor's to see either.
    assert login(client, instructor).get(reverse("submission", args=[theirs.pk])).status_code == 404


def test_it_never_shows_a_learner_the_reference_or_hidden_inputs(client, graded, learner, other_learner, exercise):
    page = login(client, other_learner).get(exercise.get_absolute_url()).content.decode()
    assert "Column means" in page
    assert "mean(axis=0)" not in page and "def cases" not in page
    client = login(client, learner)
    feedback = client.get(reverse("submission", args=[graded[0].pk])).content.decode()
    assert "random" in feedback  # the hidden case is named ...
    hidden = next(case for case in graded[0].result.cases if case.hidden)
    assert hidden.input and hidden.input not in feedback  # ... but its input stays secret


def test_it_shows_a_learner_page_only_to_the_cohort_instructors(
    client, graded, cohort, learner, other_learner, instructor, other_instructor
):
    url = reverse("teaching:cohort_learner", args=[cohort.pk, learner.pk])
    page = login(client, instructor).get(url).content.decode()
    assert "mean(axis=1)" in page and "Column means" in page  # every submission, with its code
    assert login(client, other_instructor).get(url).status_code == 404
    assert login(client, learner).get(url).status_code == 404
    assert (
        login(client, instructor)
        .get(reverse("teaching:cohort_learner", args=[cohort.pk, other_learner.pk]))
        .status_code
        == 404
    )


def test_it_authors_validates_publishes_and_reports_a_code_exercise(
    client, module, instructor, learner, cohort, django_capture_on_commit_callbacks
):
    login(client, instructor)
    response = client.post(reverse("teaching:exercise_new"), form_data(module))
    assert response.status_code == 302, response.content.decode()[:3000]
    exercise = Exercise.objects.get(slug="row-sums")
    assert not exercise.published and exercise.spec["hints"] == ["Sum along an axis.", "Which axis runs along a row?"]
    assert login(client, learner).get(exercise.get_absolute_url()).status_code == 404

    login(client, instructor)
    client.post(reverse("teaching:exercise_publish", args=[exercise.slug]))
    exercise.refresh_from_db()
    assert not exercise.published  # not validated yet

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("teaching:exercise_validate", args=[exercise.slug]))
    run = ValidationRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    page = client.get(run.get_absolute_url()).content.decode()
    assert run.reference_ok and run.all_ok
    assert "Test strength: 3 of 3 automatic wrong variants caught" in page
    assert {check["name"] for check in run.checks} >= {
        "reference",
        "starter",
        "wrong variant: reduced over another axis",
    }

    client.post(reverse("teaching:exercise_publish", args=[exercise.slug]))
    exercise.refresh_from_db()
    assert exercise.published

    answer = "import numpy as np\ndef row_sums(X):\n    return np.asarray(X).sum(axis=1)\n"
    submit(learner, exercise, answer, django_capture_on_commit_callbacks)
    dashboard = client.get(reverse("teaching:cohort", args=[cohort.pk])).content.decode()
    assert 'title="ada, Basics: average best score 100%, 1 of 1 solved"' in dashboard and 'class="c s10"' in dashboard
    opened = client.get(reverse("teaching:cohort", args=[cohort.pk]), {"module": "basics"}).content.decode()
    assert 'class="c s10"' in opened and 'title="ada, row-sums: best score 100%, 1 attempt, solved"' in opened
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("teaching:cohort_grid_csv", args=[cohort.pk])).content.decode()))
    )
    assert rows[0][:4] == ["learner", "solved", "attempted", "row-sums"]
    assert rows[1][:4] == ["ada", "1", "0", "1.00"]
    scores = client.get(reverse("teaching:cohort_scores_csv", args=[cohort.pk])).content.decode()
    assert "ada,basics,row-sums,1,1.0000" in scores


def test_it_refuses_to_publish_while_the_reference_fails(
    client, module, instructor, django_capture_on_commit_callbacks
):
    login(client, instructor)
    broken = "def row_sums(X):\n    raise ValueError('oops')\n"
    client.post(reverse("teaching:exercise_new"), form_data(module, reference=broken))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("teaching:exercise_validate", args=["row-sums"]))
    run = ValidationRun.objects.get()
    assert not run.reference_ok
    assert "cannot be published" in client.get(run.get_absolute_url()).content.decode()
    response = client.post(reverse("teaching:exercise_publish", args=["row-sums"]), follow=True)
    assert "The gate fails: reference does not pass" in response.content.decode()
    assert not Exercise.objects.get(slug="row-sums").published


def test_it_names_the_field_of_an_authoring_error(client, module, instructor):
    login(client, instructor)
    response = client.post(
        reverse("teaching:exercise_new"), form_data(module, reference="def row_sums(X)\n    return X\n")
    )
    assert response.status_code == 200
    assert "Python syntax error" in str(response.context["form"].errors["reference"])
    response = client.post(reverse("teaching:exercise_new"), form_data(module, kind="numeric", numeric_value='"many"'))
    assert "answer.value" in str(response.context["form"].errors["numeric_value"])
    assert not Exercise.objects.exists()


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("numeric", {"numeric_value": "[0.5, 2]", "rtol": "0.001"}),
        (
            "symbolic",
            {
                "expected": "2*x",
                "variables": "x",
                **rows("mistakes", {"answer": "x^2", "hint": "That is $x^2$."}),
                **rows("params", {"name": "a", "values": "2, 5"}),
            },
        ),
        (
            "choice",
            {
                **rows(
                    "choices",
                    {"text": "The rank is $2$", "correct": "on"},
                    {"text": "The rank is 3", "feedback": "Count again."},
                )
            },
        ),
    ],
)
def test_it_authors_every_kind(client, module, instructor, kind, fields):
    login(client, instructor)
    response = client.post(reverse("teaching:exercise_new"), form_data(module, kind=kind, slug=f"a-{kind}", **fields))
    assert response.status_code == 302
    exercise = Exercise.objects.get(slug=f"a-{kind}")
    assert exercise.kind == kind and "reference" not in exercise.spec
    edit = client.get(reverse("teaching:exercise_edit", args=[exercise.slug]))
    assert edit.status_code == 200


def test_it_previews_markdown_with_math_and_without_script(client, instructor, learner):
    text = "Let $x^2$ be <script>alert(1)</script> [a](javascript:alert(1))"
    page = login(client, instructor).post(reverse("teaching:preview"), {"statement": text}).content.decode()
    assert "<math" in page and "<script" not in page and 'href="javascript' not in page
    assert login(client, learner).post(reverse("teaching:preview"), {"statement": text}).status_code == 404


def test_it_versions_edits_and_regrades_a_cohort_through_the_workers(
    client, graded, exercise, cohort, instructor, other_instructor, learner, django_capture_on_commit_callbacks
):
    first, _second, theirs = graded
    login(client, instructor)
    data = exchange.file_data(exercise)
    form = {
        **form_data(exercise.module),
        **{k: data[k] for k in ("slug", "title", "statement", "entry_point", "starter", "reference")},
    }
    # Version 2 accepts row means as well: the first (wrong) answer becomes right.
    form["compare_yaml"] = ""
    form["cases"] = "import numpy as np\n\ndef cases(rng):\n    yield {'name': 'symmetric', 'args': [np.eye(3)]}\n"
    client.post(reverse("teaching:exercise_edit", args=[exercise.slug]), form)
    exercise.refresh_from_db()
    assert exercise.current_version.number == 1 and exercise.draft_version.number == 2  # a draft first
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("teaching:exercise_validate", args=[exercise.slug]))
    client.post(reverse("teaching:exercise_publish", args=[exercise.slug]))
    exercise.refresh_from_db()
    assert exercise.current_version.number == 2 and exercise.draft_version is None
    first.refresh_from_db()
    assert first.version.number == 1  # past submissions keep their version

    assert (
        login(client, other_instructor)
        .post(reverse("teaching:regrade_start", args=[cohort.pk, exercise.slug]))
        .status_code
        == 404
    )
    login(client, instructor)
    assert (
        "2 submissions of this cohort were graded"
        in client.get(reverse("teaching:cohort_exercise", args=[cohort.pk, exercise.slug])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("teaching:regrade_start", args=[cohort.pk, exercise.slug]))
    regrade = Regrade.objects.get()
    assert response["Location"] == regrade.get_absolute_url()
    assert regrade.progress() == {"total": 2, "done": 2, "errors": 0, "changed": 1, "share": 1.0, "finished": True}
    assert "2 of 2 submissions regraded" in client.get(regrade.get_absolute_url()).content.decode()
    original_feedback = first.feedback
    first.refresh_from_db()
    theirs.refresh_from_db()
    # The regrade is appended: the submission keeps its own grading, what counts follows the regrade.
    assert first.version.number == 1 and first.feedback == original_feedback and first.status == "graded"
    (regrading,) = first.regradings.all()
    assert (
        regrading.version.number == 2
        and regrading.changed
        and regrading.score_before == 0
        and regrading.correct_before is False
    )
    assert first.correct and first.score == 1.0
    assert theirs.version.number == 1 and not theirs.regradings.exists()  # another cohort's submission is left alone
    progress = ExerciseProgress.objects.get(learner=learner, exercise=exercise)
    assert progress.attempts == 2 and progress.best_score == 1.0  # regrading is not a new attempt
    assert progress.solved_at == first.finished_at  # solved when the now-correct answer was first graded
    assert Submission.objects.filter(learner=learner).count() == 2
    page = login(client, learner).get(first.get_absolute_url()).content.decode()
    assert "Grading history" in page and "Regraded against version 2" in page and "which now counts" in page
    assert Regrade.candidates(cohort, exercise).count() == 0  # nothing left to regrade


def test_it_reports_an_exercise_for_a_cohort(client, graded, exercise, cohort, instructor, other_instructor):
    url = reverse("teaching:cohort_exercise", args=[cohort.pk, exercise.slug])
    page = login(client, instructor).get(url).content.decode()
    assert "1 of 1" in page  # tried it: only this cohort's learner counts
    assert "3x2: 1 learner" in page
    assert login(client, other_instructor).get(url).status_code == 404


def test_it_exports_and_imports_exercise_files(client, exercise, module, instructor, learner):
    login(client, instructor)
    response = client.get(reverse("teaching:exercise_export", args=[exercise.slug]))
    text = response.content.decode()
    assert "reference: |" in text
    assert login(client, learner).get(reverse("teaching:exercise_export", args=[exercise.slug])).status_code == 404
    login(client, instructor)
    renamed = io.BytesIO(text.replace("slug: col-means", "slug: col-means-copy").encode())
    renamed.name = "copy.yaml"
    response = client.post(reverse("teaching:import"), {"module": module.pk, "files": [renamed]})
    assert response.status_code == 302
    copy = Exercise.objects.get(slug="col-means-copy")
    assert copy.spec == exercise.spec and not copy.published
    zipped = client.get(reverse("teaching:module_export", args=[module.slug]))
    assert zipped["Content-Type"] == "application/zip"


def test_it_names_the_file_and_field_of_a_bad_import(client, module, instructor):
    bad = io.BytesIO(exchange.dump_yaml({**CODE_EXERCISE, "topics": ["no.such-topic"]}).encode())
    bad.name = "broken.yaml"
    response = login(client, instructor).post(reverse("teaching:import"), {"module": module.pk, "files": [bad]})
    assert "broken.yaml: field &#x27;topics&#x27;: unknown topic id(s) no.such-topic" in response.content.decode()
    assert not Exercise.objects.exists()


def test_it_lets_a_learner_join_by_link_or_code(client, cohort, other_learner, instructor):
    login(client, other_learner)
    assert client.get(cohort.get_join_url()).status_code == 200
    client.post(cohort.get_join_url())
    assert Enrollment.objects.filter(cohort=cohort, learner=other_learner).exists()
    assert client.post(reverse("teaching:join_by_code"), {"code": "wrong"}, follow=True).status_code == 200
    assert client.get(reverse("teaching:join", args=["wrong"])).status_code == 404


def test_it_shows_a_learner_their_own_progress_and_what_next(client, graded, learner, exercise, module, instructor):
    second_exercise, _, _ = exchange.save(
        exchange.read_data("b.yaml", {**CODE_EXERCISE, "slug": "next-one", "title": "Next one"}), module, by=instructor
    )
    second_exercise.published = True
    second_exercise.save()
    page = login(client, learner).get(reverse("teaching:my_progress")).content.decode()
    assert "1/2 solved" in page and "Next one" in page and "Spring" in page


def test_it_shows_the_teach_link_to_instructors_only(client, instructor, learner):
    assert "Teach</a>" in login(client, instructor).get("/").content.decode()
    assert "Teach</a>" not in login(client, learner).get("/").content.decode()


def test_it_offers_no_regrade_when_everything_is_graded_against_the_current_version(
    client, graded, exercise, cohort, instructor
):
    login(client, instructor)
    page = client.get(reverse("teaching:cohort_exercise", args=[cohort.pk, exercise.slug])).content.decode()
    assert "Every submission of this cohort is graded against the current version" in page
    assert Regrade.candidates(cohort, exercise).count() == 0


def test_it_lists_reference_text_to_instructors(client, exercise, instructor):
    page = login(client, instructor).get(reverse("teaching:exercise_edit", args=[exercise.slug])).content.decode()
    assert "mean(axis=0)" in page and REFERENCE.splitlines()[0] in page


def test_it_renders_the_instructor_pages(client, graded, exercise, cohort, instructor):
    login(client, instructor)
    home = client.get(reverse("teaching:home")).content.decode()
    assert "Spring" in home and "Column means" in home
    for kind in ("code", "symbolic", "numeric", "choice"):
        assert client.get(reverse("teaching:exercise_new"), {"kind": kind}).status_code == 200
    detail = client.get(reverse("teaching:exercise", args=[exercise.slug])).content.decode()
    assert "not been validated" in detail and "Spring" in detail
    assert client.get(reverse("teaching:import")).status_code == 200


# --- grade integrity: drafts, the publish gate, ownership, the audit log ---------------------


def edit(client, exercise, **changes):
    data = exchange.file_data(exercise)
    form = {
        **form_data(exercise.module),
        **{k: data[k] for k in ("slug", "title", "statement", "entry_point", "starter", "reference", "cases")},
    }
    form.update(changes)
    return client.post(reverse("teaching:exercise_edit", args=[exercise.slug]), form)


def test_it_keeps_a_broken_edit_from_learners(
    client, exercise, instructor, learner, django_capture_on_commit_callbacks
):
    login(client, instructor)
    edit(client, exercise, reference="def col_means(X):\n    raise ValueError('broken')\n")
    exercise.refresh_from_db()
    assert exercise.draft_version.number == 2 and exercise.current_version.number == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("teaching:exercise_validate", args=[exercise.slug]))
    page = client.post(reverse("teaching:exercise_publish", args=[exercise.slug]), follow=True).content.decode()
    assert "The gate fails: reference does not pass" in page
    exercise.refresh_from_db()
    assert exercise.current_version.number == 1
    # The learner still gets, and is graded against, version 1.
    submission = submit(learner, exercise, REFERENCE, django_capture_on_commit_callbacks)
    assert submission.version.number == 1 and submission.correct
    assert "could not be prepared" not in login(client, learner).get(exercise.get_absolute_url()).content.decode()


def test_it_refuses_to_publish_an_exercise_whose_starter_passes_without_a_written_reason(
    client, module, instructor, django_capture_on_commit_callbacks
):
    login(client, instructor)
    client.post(reverse("teaching:exercise_new"), form_data(module, starter=form_data(module)["reference"]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("teaching:exercise_validate", args=["row-sums"]))
    page = client.post(reverse("teaching:exercise_publish", args=["row-sums"]), follow=True).content.decode()
    assert "the starter already passes" in page
    assert not Exercise.objects.get(slug="row-sums").published
    reason = "The starter is a worked example on purpose; the quiz grades the real work."
    client.post(reverse("teaching:exercise_publish", args=["row-sums"]), {"override_reason": reason})
    exercise = Exercise.objects.get(slug="row-sums")
    assert exercise.published and exercise.current_version.override_reason == reason
    assert AuditEvent.objects.filter(exercise=exercise, action="published", detail__contains=reason).exists()


def test_it_lets_another_instructor_view_and_copy_but_not_change_an_exercise(
    client, exercise, other_instructor, instructor
):
    login(client, other_instructor)
    assert client.get(reverse("teaching:exercise", args=[exercise.slug])).status_code == 200
    for name in ("exercise_edit", "exercise_publish", "exercise_unpublish", "exercise_coauthors"):
        response = client.post(reverse(f"teaching:{name}", args=[exercise.slug]))
        assert response.status_code == 403, name
    assert "belongs to prof" in client.get(reverse("teaching:exercise_edit", args=[exercise.slug])).content.decode()
    client.post(reverse("teaching:exercise_copy", args=[exercise.slug]))
    copy = Exercise.objects.get(slug="col-means-copy")
    assert copy.owner == other_instructor and not copy.published and copy.spec == exercise.spec
    # A co-author may change it.
    login(client, instructor).post(
        reverse("teaching:exercise_coauthors", args=[exercise.slug]), {"username": "other-prof"}
    )
    assert (
        login(client, other_instructor).get(reverse("teaching:exercise_edit", args=[exercise.slug])).status_code == 200
    )


def test_it_versions_a_title_change_and_logs_every_change(
    client, exercise, instructor, django_capture_on_commit_callbacks
):
    login(client, instructor)
    response = edit(client, exercise, title="Means of columns")
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.title == "Column means" and exercise.draft_version.metadata["title"] == "Means of columns"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("teaching:exercise_validate", args=[exercise.slug]))
    client.post(reverse("teaching:exercise_publish", args=[exercise.slug]))
    client.post(reverse("teaching:exercise_unpublish", args=[exercise.slug]))
    exercise.refresh_from_db()
    assert exercise.title == "Means of columns" and exercise.current_version.number == 2
    actions = list(AuditEvent.objects.of_exercise(exercise).values_list("action", flat=True))
    assert actions == ["unpublished", "published", "validated", "edited", "published", "created"]
    page = client.get(reverse("teaching:exercise", args=[exercise.slug])).content.decode()
    assert "Audit log" in page and "Unpublished" in page and "prof" in page
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("teaching:exercise_audit_csv", args=[exercise.slug])).content.decode())
        )
    )
    assert rows[0] == ["when", "who", "action", "version", "detail"] and [row[2] for row in rows[1:]] == actions


# --- bad input: a clear refusal, never a 500 --------------------------------------------------


def test_it_reads_only_plain_digits_as_a_number_of_days(client, cohort, instructor):
    login(client, instructor)
    for days in ("²", "-3", "0", "99999999999999999999999"):
        assert client.get(reverse("teaching:cohort", args=[cohort.pk]), {"days": days}).status_code == 200
    assert (
        client.get(reverse("teaching:cohort", args=[cohort.pk]), {"days": "7\x00"}).status_code == 400
    )  # the middleware's NUL rule


def test_it_refuses_an_invite_code_with_a_nul_byte(client, learner):
    login(client, learner)
    assert client.get("/join/%00/").status_code == 400
    assert client.post(reverse("teaching:join_by_code"), {"code": "abc\x00"}).status_code == 302


def test_it_refuses_an_import_without_files(client, module, instructor):
    response = login(client, instructor).post(reverse("teaching:import"), {"module": module.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["files"] == ["This field is required."]
    assert not any("Imported" in str(message) for message in response.context["messages"])


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"points": "99999999999999999999"}, "points", "less than or equal to 1000"),
        ({"cpu_seconds": "99999999999999999999"}, "cpu_seconds", "less than or equal to 3600"),
        ({"rtol": "1e999"}, "rtol", "Enter a number"),
        ({"title": "Row\x00sums"}, "title", "Null characters are not allowed"),
        ({"compare_yaml": "[" * 3000 + "]" * 3000}, "compare_yaml", "nest deeper than 20 levels"),
        ({"gradient": "- &m {name: a, code: x}\n- *m\n"}, "gradient", "aliases (*name) are not supported"),
        (
            {"kind": "numeric", "numeric_value": "[" * 3000 + "1" + "]" * 3000},
            "numeric_value",
            "Write a number or a JSON list",
        ),
        ({"kind": "numeric", "numeric_value": "NaN"}, "numeric_value", "not finite"),
        (
            {"kind": "symbolic", "expected": "x", "variables": "x", "answer_options": 'functions: ["f\\0"]\n'},
            "answer_options",
            "contains a NUL character",
        ),
        (
            {"kind": "symbolic", "expected": "x", "answer_options": "assumptions: " + "{a: " * 40 + "1" + "}" * 40},
            "answer_options",
            "nest deeper",
        ),
    ],
)
def test_it_refuses_out_of_range_and_hostile_authoring_values_in_their_field(
    client, module, instructor, fields, field, message
):
    response = login(client, instructor).post(
        reverse("teaching:exercise_new"), form_data(module, slug="hostile", **fields)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, [])), response.context["form"].errors
    assert not Exercise.objects.exists()


def test_it_refuses_a_deeply_nested_import(client, module, instructor):
    deep = io.BytesIO((exchange.dump_yaml(CODE_EXERCISE) + "extra: " + "[" * 5000 + "]" * 5000 + "\n").encode())
    deep.name = "deep.yaml"
    response = login(client, instructor).post(reverse("teaching:import"), {"module": module.pk, "files": [deep]})
    assert response.status_code == 200 and "nest deeper than 20 levels" in response.content.decode()
    assert not Exercise.objects.exists()


def test_it_shows_what_changed_between_versions_and_rolls_back(
    client, exercise, instructor, other_instructor, django_capture_on_commit_callbacks
):
    login(client, instructor)
    edit(client, exercise, statement="Return the average of each column of $X$.")
    page = client.get(reverse("teaching:exercise_version", args=[exercise.slug, 2])).content.decode()
    assert '<span class="remove">-statement: Return the mean of each column of $X$.</span>' in page
    assert '<span class="add">+statement: Return the average of each column of $X$.</span>' in page
    assert (
        login(client, other_instructor).get(reverse("teaching:exercise_version", args=[exercise.slug, 2])).status_code
        == 200
    )
    assert client.post(reverse("teaching:exercise_rollback", args=[exercise.slug, 1])).status_code == 403
    login(client, instructor).post(reverse("teaching:exercise_rollback", args=[exercise.slug, 1]))
    exercise.refresh_from_db()
    rolled = exercise.draft_version  # published: the roll-back is a draft, through the gate like any edit
    assert rolled.number == 3 and rolled.statement == exercise.versions.get(number=1).statement
    assert rolled.message == "rolled back to version 1" and exercise.current_version.number == 1
    assert AuditEvent.objects.filter(exercise=exercise, action="rolled-back").exists()


# --- cohorts: deadlines, a selection of exercises, time zones ---------------------------------


def test_it_sets_a_deadline_that_learners_see_and_that_flags_or_refuses_late_work(
    client, exercise, cohort, instructor, learner, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from teaching.models import Deadline

    login(client, instructor)
    due = (timezone.now() - timedelta(hours=1)).astimezone(timezone.get_current_timezone())
    client.post(reverse("teaching:cohort_settings", args=[cohort.pk]), {
        "action": "deadline", "module": exercise.module.pk, "due_at": due.strftime("%Y-%m-%dT%H:%M"), "late_policy": "flag",
    })  # fmt: skip
    deadline = Deadline.objects.get()
    assert abs((deadline.due_at - due).total_seconds()) < 60
    page = login(client, learner).get(exercise.module.get_absolute_url()).content.decode()
    assert "Due: <strong>" in page and "late work is accepted, flagged as late" in page
    late = submit(learner, exercise, REFERENCE, django_capture_on_commit_callbacks)
    assert late.late and late.correct  # accepted, flagged
    Deadline.objects.update(late_policy="refuse")
    response = client.post(exercise.get_absolute_url(), {"answer": REFERENCE}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and "answers are no longer accepted" in response.content.decode()
    assert Submission.objects.filter(learner=learner).count() == 1


def test_it_gives_a_cohort_its_own_exercises_in_its_own_order(
    client, exercise, module, cohort, instructor, learner, other_learner
):
    second, _, _ = exchange.save(
        exchange.read_data("b.yaml", {**CODE_EXERCISE, "slug": "row-means", "title": "Row means"}),
        module,
        by=instructor,
    )
    second.publish(second.current_version, by=instructor, override_reason="a fixture exercise")
    login(client, instructor)
    assert (
        client.post(
            reverse("teaching:cohort_settings", args=[cohort.pk]), {"action": "select", "slugs": "nothing-here"}
        ).status_code
        == 302
    )
    assert not cohort.selections.exists()  # refused: not an exercise
    client.post(
        reverse("teaching:cohort_settings", args=[cohort.pk]), {"action": "select", "slugs": "row-means\ncol-means"}
    )
    assert [e.slug for e in cohort.exercises()] == ["row-means", "col-means"]
    mine = login(client, learner).get(module.get_absolute_url()).content.decode()
    assert mine.index("Row means") < mine.index("Column means")
    theirs = login(client, other_learner).get(module.get_absolute_url()).content.decode()  # not in the cohort
    assert theirs.index("Column means") < theirs.index("Row means")
    client.post(reverse("teaching:cohort_settings", args=[cohort.pk]), {"action": "select", "slugs": ""})


def test_it_shows_times_in_the_viewers_time_zone_with_its_name(client, graded, exercise, cohort, instructor):
    login(client, instructor)
    client.cookies["tz"] = "Asia/Tokyo"
    page = client.get(reverse("teaching:exercise", args=[exercise.slug])).content.decode()
    assert " JST</td>" in page
    client.cookies["tz"] = "Nowhere/Atlantis"  # unknown: UTC, named
    page = client.get(reverse("teaching:exercise", args=[exercise.slug])).content.decode()
    assert " UTC</td>" in page


def test_it_renames_a_cohort_adds_an_instructor_and_removes_a_learner(
    client, cohort, instructor, other_instructor, learner
):
    login(client, instructor)
    url = reverse("teaching:cohort_settings", args=[cohort.pk])
    client.post(url, {"action": "rename", "name": "Spring 2027"})
    client.post(url, {"action": "add-instructor", "username": "other-prof"})
    client.post(url, {"action": "remove-learner", "user": str(learner.pk)})
    cohort.refresh_from_db()
    assert cohort.name == "Spring 2027" and cohort.instructors.filter(pk=other_instructor.pk).exists()
    assert not cohort.enrollments.exists()
    assert login(client, other_instructor).get(url).status_code == 200  # a co-instructor now


def test_it_shows_a_learner_the_best_score_of_each_quiz(client, course, learner):
    from exercises.models import Module, QuizAttempt

    activations = Module.objects.get(slug="activations")
    for number, score in ((1, 0.25), (2, 0.75)):
        QuizAttempt.objects.create(
            learner=learner, module=activations, number=number, score=score, finished_at="2026-01-01T00:00Z"
        )
    QuizAttempt.objects.create(learner=learner, module=activations, number=3)  # still open: not counted
    page = login(client, learner).get(reverse("teaching:my_progress")).content.decode()
    assert "75%" in page and "best of 2 attempts (2 allowed)" in page and "25%" not in page
    assert "A quiz's score is that of your best finished attempt." in page
    assert "no quiz" in page  # linear algebra has none


def test_it_charts_attempts_and_best_scores_of_an_exercise(client, graded, exercise, cohort, instructor):
    page = (
        login(client, instructor)
        .get(reverse("teaching:cohort_exercise", args=[cohort.pk, exercise.slug]))
        .content.decode()
    )
    figure = page[page.index('<figure class="chart">') :]
    assert figure.startswith('<figure class="chart"><svg role="img"')
    assert "<title" in figure and "Attempts and best scores on Column means" in figure
    assert "1 learners tried it; 1 solved it, most often at attempt 2; 0 have not yet." in figure
    assert len(figure[: figure.index("</figure>")].encode()) < 60_000


def test_it_charts_each_modules_completion_over_time_when_the_page_asks(
    client, graded, cohort, other_cohort, instructor, other_instructor
):
    page = login(client, instructor).get(reverse("teaching:cohort", args=[cohort.pk])).content.decode()
    url = reverse("teaching:cohort_completion", args=[cohort.pk])
    assert f'hx-get="{url}" hx-trigger="load"' in page and "<svg" not in page  # the grid does not wait for the chart
    chart = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert chart.startswith('<figure class="chart"><svg role="img"') or chart.lstrip().startswith(
        '<figure class="chart"><svg role="img"'
    )
    assert "Each module&#x27;s completion over time" in chart or "Each module's completion over time" in chart
    assert "Furthest along now: Basics 100%" in chart
    assert login(client, other_instructor).get(url).status_code == 404
    theirs = client.get(
        reverse("teaching:cohort_completion", args=[other_cohort.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "No exercise solved yet" in theirs  # their cohort's one learner has not solved it: ada's solve is not theirs


def test_it_lists_the_exercises_most_learners_have_not_solved_when_the_page_asks(
    client, graded, cohort, other_cohort, instructor, other_instructor
):
    page = login(client, instructor).get(reverse("teaching:cohort", args=[cohort.pk])).content.decode()
    url = reverse("teaching:cohort_hardest", args=[cohort.pk])
    assert f'hx-get="{url}" hx-trigger="load"' in page  # the grid does not wait for the count
    assert (
        "No exercise is holding learners back." in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    )  # ada solved it
    assert login(client, other_instructor).get(url).status_code == 404
    theirs = client.get(reverse("teaching:cohort_hardest", args=[other_cohort.pk])).content.decode()
    assert "Column means</a>: 1 of 1 who tried have not solved it" in theirs and "<h1>" in theirs  # bob has not


def test_it_downloads_a_gradebook_an_lms_imports(client, graded, cohort, instructor, other_instructor):
    url = reverse("teaching:cohort_gradebook_csv", args=[cohort.pk])
    response = login(client, instructor).get(url)
    assert response["Content-Disposition"] == f'attachment; filename="cohort-{cohort.pk}-gradebook.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Basics"]
    assert rows[1] == ["Points Possible", "", "", "", "", "100"] and rows[2] == [
        "ada",
        "",
        "",
        "ada",
        "Spring",
        "100.0",
    ]
    assert login(client, other_instructor).get(url).status_code == 404


def test_it_keeps_the_authors_note_with_the_version(client, exercise, instructor):
    login(client, instructor)
    edit(client, exercise, statement="Sum each column.", change_note="Shorter statement")
    exercise.refresh_from_db()
    latest = exercise.versions.order_by("-number").first()
    assert latest.message == "edited in the browser: Shorter statement" and latest.author == instructor
    page = client.get(reverse("teaching:exercise", args=[exercise.slug])).content.decode()
    assert "Shorter statement" in page
