"""The structured authoring form (teaching/forms.py): rows for choices, mistakes, mutants and
parameters, errors on the field or row they are about, all in one round, and text stored with
LF line endings."""

import pytest
from django.urls import reverse

from exercises.models import Exercise
from teaching import exchange

from .conftest import login
from .test_views import form_data, rows


def post(client, module, **fields):
    return client.post(reverse("teaching:exercise_new"), form_data(module, **fields))


def choice_fields(*choices, **extra):
    return {"kind": "choice", "slug": "rank", **rows("choices", *choices), **extra}


def test_it_reports_a_shared_fields_error_and_the_kinds_error_in_one_round(client, module, instructor):
    login(client, instructor)
    response = post(client, module, **choice_fields({"text": "Only one", "correct": "on"}, slug="Not A Slug"))
    form = response.context["form"]
    assert "lowercase letters" in str(form.errors["slug"])
    assert "at least two choices" in " ".join(form.rows["choices"].non_form_errors())
    assert not Exercise.objects.exists()


def test_it_puts_an_error_about_one_choice_on_that_row(client, module, instructor):
    login(client, instructor)
    response = post(
        client, module, **choice_fields({"text": "Fine", "correct": "on"}, {"text": "Broken $\\frac{1}{$ math"})
    )
    formset = response.context["form"].rows["choices"]
    assert not formset.forms[0].errors and formset.forms[1].non_field_errors()
    assert "choices[2]" in str(formset.forms[1].non_field_errors())


def test_it_requires_a_choice_text_on_a_kept_row_and_skips_a_removed_one(client, module, instructor):
    login(client, instructor)
    response = post(client, module, **choice_fields({"text": "A", "correct": "on"}, {"feedback": "no text"}))
    assert "required" in str(response.context["form"].rows["choices"].forms[1].errors["text"])
    response = post(
        client, module, **choice_fields({"text": "A", "correct": "on"}, {"text": "B"}, {"text": "gone", "DELETE": "on"})
    )
    assert response.status_code == 302
    assert [c["text"] for c in Exercise.objects.get(slug="rank").latest_version.spec["choices"]] == ["A", "B"]


def test_it_stores_browser_text_with_lf_and_exports_literal_blocks(client, module, instructor):
    login(client, instructor)
    reference = "import numpy as np\r\n\r\ndef row_sums(X):\r\n    return np.asarray(X, dtype=float).sum(axis=1)\r\n"
    response = post(
        client,
        module,
        reference=reference,
        statement="Sum each row.\r\n\r\nOf $X$.",
        **rows("mutants", {"name": "cols", "code": "def row_sums(X):\r\n    return X.sum(axis=0)\r\n"}),
    )
    assert response.status_code == 302
    exercise = Exercise.objects.get(slug="row-sums")
    version = exercise.latest_version
    assert (
        "\r" not in version.statement
        and "\r" not in version.spec["reference"]
        and "\r" not in version.spec["mutants"][0]["code"]
    )
    exported = exchange.export_exercise(exercise)
    assert "reference: |" in exported and "statement: |" in exported and "\\r" not in exported


def test_it_round_trips_every_kind_through_the_edit_form_without_a_new_version(client, module, instructor):
    login(client, instructor)
    kinds = {
        "code": {
            "contract": "inputs_unchanged: true\n",
            **rows("mutants", {"name": "cols", "code": "def row_sums(X):\n    return X.sum(axis=0)\n"}),
        },
        "symbolic": {
            "expected": "{{a}}*x",
            "variables": "x",
            "answer_options": "up_to_constant: false\n",
            **rows("mistakes", {"answer": "x", "hint": "Times $a$.", "name": "factor"}),
            **rows("params", {"name": "a", "values": "2, 5"}),
        },
        "numeric": {"numeric_value": "[0.5, 2]", "decimals": "2", "rtol": "", "atol": "", "hide_direction": "on"},
        "choice": {
            "multiple": "on",
            **rows(
                "choices",
                {"text": "A", "correct": "on", "feedback": "Yes."},
                {"text": "B", "correct": "on"},
                {"text": "C"},
            ),
        },
    }
    for kind, fields in kinds.items():
        assert post(client, module, kind=kind, slug=f"k-{kind}", **fields).status_code == 302, kind
        exercise = Exercise.objects.get(slug=f"k-{kind}")
        page = client.get(reverse("teaching:exercise_edit", args=[exercise.slug]))
        form = page.context["form"]
        response = client.post(reverse("teaching:exercise_edit", args=[exercise.slug]), _posted(form))
        assert response.status_code == 302, (kind, response.context and response.context["form"].errors)
        assert exercise.versions.count() == 1, kind  # nothing changed: no new version
    assert Exercise.objects.get(slug="k-numeric").latest_version.spec["answer"]["show_direction"] is False
    assert "inputs_unchanged: true" in exchange.export_exercise(Exercise.objects.get(slug="k-code"))


def _posted(form) -> dict:
    """What a browser posts back for an untouched form: every field's initial value."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        data[name] = [str(item) for item in value] if isinstance(value, list | tuple) else value
    for name, formset in form.rows.items():
        data.update(
            {
                f"{name}-TOTAL_FORMS": str(formset.total_form_count()),
                f"{name}-INITIAL_FORMS": str(formset.initial_form_count()),
            }
        )
        for row in formset.forms:
            for field_name in row.fields:
                value = row[field_name].value()
                if value in (None, False, ""):
                    continue
                data[row.add_prefix(field_name)] = "on" if value is True else value
    return data


@pytest.mark.parametrize("field", ["text", "feedback"])
def test_it_previews_any_markdown_field_named_by_the_form(client, instructor, field):
    login(client, instructor)
    page = client.post(
        reverse("teaching:preview"),
        {"field": f"choices-0-{field}", f"choices-0-{field}": "Is $x^2$ <script>x</script>"},
    ).content.decode()
    assert "<math" in page and "<script" not in page


def test_it_previews_an_expected_answer_with_the_forms_variables_and_parameters(client, instructor, learner):
    data = {
        "field": "expected",
        "expected": "{{a}}*x^2",
        "variables": "x",
        "params-0-name": "a",
        "params-0-values": "3, 7",
    }
    page = login(client, instructor).post(reverse("teaching:expression_preview"), data).content.decode()
    assert "We read your answer as" in page and "<code>3*x^2</code>" in page
    page = client.post(reverse("teaching:expression_preview"), {**data, "expected": "2*y"}).content.decode()
    assert "Unknown name" in page and "y" in page
    assert login(client, learner).post(reverse("teaching:expression_preview"), data).status_code == 404
