"""A learner types a symbolic answer: the preview shows how it is read, the statement shows
their own parameters, and a submission is graded with them."""

import pytest

from exercises.models import Exercise, Module

SPEC = {
    "answer": {
        "expected": "x*(x + {{c}}) - {{a}}*{{b}}",
        "variables": ["x"],
        "mistakes": [{"answer": "x*(x + {{c}}) + {{a}}*{{b}}", "hint": "The off-diagonal product is *subtracted*."}],
    },
    "params": {"a": [2, 6], "b": [2, 6], "c": [1, 5]},
}


@pytest.fixture
def determinant(db):
    module = Module.objects.create(slug="la", title="Linear algebra", order=1)
    exercise = Exercise.objects.create(module=module, slug="det-x", title="Determinant", kind="symbolic")
    exercise.add_version("Compute $\\det \\begin{bmatrix} x & {{a}} \\\\ {{b}} & x + {{c}} \\end{bmatrix}$.", SPEC)
    return exercise


def preview(client, text):
    return client.post("/exercises/det-x/preview/", {"answer": text}, HTTP_HX_REQUEST="true")


def test_it_previews_how_the_answer_is_read(learner_client, determinant):
    response = preview(learner_client, "x(x+3) - 2·5")
    assert response.status_code == 200
    html = response.content.decode()
    assert "We read your answer as" in html and "<math" in html and "<code>x</code>" in html


def test_it_previews_an_error_with_a_caret_and_a_suggestion(learner_client, determinant):
    html = preview(learner_client, "x2 + 1").content.decode()
    assert "&#x27;x2&#x27; is not a name" in html
    assert '<pre class="preview-caret">x2 + 1\n ^</pre>' in html
    assert "Did you mean x^2 or x*2?" in html


def test_it_sends_visitors_to_log_in_before_a_preview(client, determinant):
    assert preview(client, "x").status_code == 302


def test_it_has_no_preview_for_other_kinds(learner_client, determinant):
    determinant.kind = "numeric"
    determinant.save()
    assert preview(learner_client, "x").status_code == 400


def test_it_shows_each_learner_their_own_parameters(learner_client, learner, determinant):
    values = determinant.context_for(learner)["params"]
    assert values == determinant.context_for(learner)["params"]  # stable across visits
    html = learner_client.get("/exercises/det-x/").content.decode()
    assert "{{a}}" not in html and 'hx-post="/exercises/det-x/preview/"' in html


def test_it_grades_a_submission_with_the_learners_parameters(learner, determinant, submit):
    values = determinant.context_for(learner)["params"]
    right = f"x^2 + {values['c']}x - {values['a'] * values['b']}"
    submission = submit(learner, "det-x", right)
    assert submission.context == {"params": values}
    assert submission.status == "graded" and submission.correct
    wrong = submit(learner, "det-x", f"x^2 + {values['c']}x + {values['a'] * values['b']}")
    assert not wrong.correct
    assert wrong.feedback["cases"][-1]["message"] == "The off-diagonal product is *subtracted*."


def test_it_shows_the_hint_on_the_result_page(learner_client, learner, determinant, submit):
    values = determinant.context_for(learner)["params"]
    wrong = submit(learner, "det-x", f"x^2 + {values['c']}x + {values['a'] * values['b']}")
    html = learner_client.get(f"/submissions/{wrong.pk}/").content.decode()
    assert "<em>subtracted</em>" in html


def test_it_validates_parametrised_exercises_at_both_ends(determinant):
    checks = determinant.current_version.validate()
    assert len(checks) == 4 and all(check.ok for check in checks)
    assert checks[0].name == "expected answer (a=2, b=2, c=1)"


def test_it_refuses_an_answer_that_asks_the_checker_to_differentiate(
    course, learner_client, django_capture_on_commit_callbacks
):
    from exercises.models import Submission

    answer = "diff(1/(1 + exp(-x)), x)"
    html = learner_client.post(
        "/exercises/sigmoid-derivative/preview/", {"answer": answer}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Write the derivative itself; `diff` is not allowed in this answer." in html
    with django_capture_on_commit_callbacks(execute=True):
        learner_client.post("/exercises/sigmoid-derivative/", {"answer": answer})
    submission = Submission.objects.get()
    assert not submission.correct and "`diff` is not allowed" in submission.feedback["message"]
    page = learner_client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "Write the derivative itself" in page
