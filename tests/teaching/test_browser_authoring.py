"""A real Chromium authors an exercise of every kind through the structured form: rows added
and removed in place, live previews of math, every error of a bad post shown at once. Needs
Debian's chromium (the `page` fixture of tests/conftest.py; skipped without it unless
REQUIRE_BROWSER is set)."""

import pytest

from exercises.models import Exercise, Module, Topic
from teaching import exchange
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = "import numpy as np\n\ndef row_sums(X):\n    return np.asarray(X, dtype=float).sum(axis=1)\n"
CASES = (
    "import numpy as np\n\ndef cases(rng):\n"
    "    yield {'name': 'small', 'args': [np.arange(6.0).reshape(2, 3)]}\n"
    "    yield {'name': 'random', 'args': [rng.normal(size=(3, 4))], 'hidden': True}\n"
)


@pytest.fixture
def module(db):
    module = Module.objects.create(slug="basics", title="Basics", order=1)
    Topic.objects.create(id="t.sums", module=module, what="sums")
    return module


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def start(page, live_server, module, kind, slug):
    page.goto(f"{live_server.url}/teach/exercises/new/?kind={kind}&module={module.pk}")
    page.fill("#id_slug", slug)
    page.fill("#id_title", f"A {kind} exercise")
    page.select_option("#id_topics", "t.sums")
    page.fill("#id_statement", "Let $x^2$ be given.\r\nWork it out.")
    assert page.locator("fieldset.kind-fields:visible legend").first.inner_text()  # the kind's own fields show


def set_editor(page, field_id, text):
    page.wait_for_function("() => window.ace && document.querySelector('.ace_editor')")
    page.evaluate(
        "([id, text]) => ace.edit(document.getElementById(id).previousElementSibling.firstChild).setValue(text, 1)",
        [field_id, text],
    )


def save(page, live_server, slug):
    page.click("#exercise-form > button")
    page.wait_for_url(f"{live_server.url}/teach/exercises/{slug}/")
    return Exercise.objects.get(slug=slug)


def test_it_authors_every_kind_through_the_structured_form(instructor, module, live_server, page):
    log_in(page, live_server, instructor.username)

    # Multiple choice: rows added, one removed again, and a live preview of each choice's math.
    start(page, live_server, module, "choice", "b-choice")
    page.fill("#id_choices-0-text", "The square is $x^2$")
    page.check("#id_choices-0-correct")
    page.click("[data-add-row=choices]")
    page.fill("#id_choices-1-text", "The cube is $x^3$")
    page.fill("#id_choices-1-feedback", "Count the factors: $x \\cdot x$.")
    page.click("[data-add-row=choices]")
    page.fill("#id_choices-2-text", "A row I remove")
    page.check("#id_choices-2-DELETE")
    page.wait_for_selector("[data-rows=choices] .row-preview math")  # the preview of a row's math
    exercise = save(page, live_server, "b-choice")
    spec = exercise.latest_version.spec
    assert [c["text"] for c in spec["choices"]] == ["The square is $x^2$", "The cube is $x^3$"]
    assert spec["choices"][0]["correct"] and not spec["choices"][1]["correct"]
    assert "\r" not in exercise.latest_version.statement

    # Symbolic: the expected answer, a mistake with its hint, and a parameter.
    start(page, live_server, module, "symbolic", "b-symbolic")
    page.fill("#id_expected", "{{a}}*x")
    page.fill("#id_variables", "x")
    page.fill("#id_mistakes-0-answer", "x")
    page.fill("#id_mistakes-0-hint", "You dropped the factor $a$.")
    page.fill("#id_params-0-name", "a")
    page.fill("#id_params-0-values", "2, 5")
    page.fill("#id_expected", "{{a}}*x^2")  # typed again: the preview reads it with a at its lowest
    page.wait_for_selector("fieldset.kind-fields:visible .row-preview .preview-reading:has-text('2*x^2')")
    exercise = save(page, live_server, "b-symbolic")
    answer = exercise.latest_version.spec["answer"]
    assert answer["expected"] == "{{a}}*x^2" and answer["mistakes"][0]["answer"] == "x"
    assert exercise.latest_version.spec["params"] == {"a": [2, 5]}

    # Numeric: a value to a stated precision.
    start(page, live_server, module, "numeric", "b-numeric")
    page.fill("#id_numeric_value", "0.125")
    page.fill("#id_sig_figs", "3")
    exercise = save(page, live_server, "b-numeric")
    assert exercise.latest_version.spec["answer"] == {"value": 0.125, "sig_figs": 3}

    # Code: the editors, and a mutant row.
    start(page, live_server, module, "code", "b-code")
    page.fill("#id_entry_point", "row_sums")
    set_editor(page, "id_starter", "def row_sums(X):\r\n    raise NotImplementedError\r\n")
    set_editor(page, "id_reference", REFERENCE)
    set_editor(page, "id_cases", CASES)
    page.fill("#id_mutants-0-name", "columns")
    page.fill("#id_mutants-0-code", "import numpy as np\n\ndef row_sums(X):\n    return np.asarray(X).sum(axis=0)\n")
    exercise = save(page, live_server, "b-code")
    spec = exercise.latest_version.spec
    assert spec["mutants"][0]["name"] == "columns" and "\r" not in spec["starter"]
    assert "reference: |" in exchange.export_exercise(exercise)  # a literal block, readable in review


def test_it_shows_every_error_of_a_bad_post_at_once(instructor, module, live_server, page):
    log_in(page, live_server, instructor.username)
    start(page, live_server, module, "choice", "Bad Slug")
    page.fill("#id_choices-0-text", "Only one choice, none correct")
    page.click("#exercise-form > button")
    page.wait_for_selector(".errorlist")
    text = page.inner_text("#exercise-form")
    assert "lowercase letters, digits and dashes" in text  # the slug's own error ...
    assert "at least two choices" in text  # ... and the choices', in the same round
    assert not Exercise.objects.exists()
