"""Form pieces the kinds' authoring fields are built from: editors, YAML areas, math fields
with a live preview, and the rows (choices, mistakes, mutants, parameters) edited with add and
remove."""

from __future__ import annotations

from django import forms
from django_ace import AceWidget


def ace(height: str = "260px") -> AceWidget:
    return AceWidget(
        mode="python", theme="chrome", width="100%", height=height, tabsize=4, showprintmargin=False, toolbar=False
    )


def yaml_area(rows: int = 6) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "mono", "spellcheck": "false"})


def math_area(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "mono"})


def previewed(field: forms.Field, how: str = "markdown") -> forms.Field:
    """A field with math the authoring form previews as it is typed: "markdown" (rendered as
    a statement is, teaching:preview) or "expression" (read by the symbolic checker with the
    form's variables and parameters, teaching:expression_preview)."""
    field.previewed = how
    return field


def tolerance_fields() -> dict:
    return {
        "rtol": forms.FloatField(required=False, min_value=0, help_text="Relative tolerance."),
        "atol": forms.FloatField(required=False, min_value=0, help_text="Absolute tolerance."),
    }


class Row(forms.Form):
    """One row of a row set; `required` fields say which must be filled when a row is kept."""

    use_required_attribute = False
    legend = ""  # the row set's heading


class ChoiceRow(Row):
    legend = "Choices"
    text = previewed(forms.CharField(widget=math_area(2), strip=False, help_text="Markdown with $math$."))
    correct = forms.BooleanField(required=False)
    feedback = previewed(
        forms.CharField(required=False, widget=math_area(2), strip=False, help_text="Shown when this choice is picked.")
    )


class MistakeRow(Row):
    legend = "Mistakes (wrong answers with a hint)"
    answer = previewed(
        forms.CharField(
            widget=forms.TextInput(attrs={"class": "mono"}), help_text="A wrong answer, matched by equivalence."
        ),
        "expression",
    )
    hint = previewed(
        forms.CharField(
            required=False, widget=math_area(2), strip=False, help_text="What the learner sees when they give it."
        )
    )
    name = forms.CharField(required=False, max_length=200, help_text="Optional: how reports count it.")


class MutantRow(Row):
    legend = "Mutants (wrong solutions the cases must reject)"
    name = forms.CharField(required=False, max_length=200)
    code = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono", "spellcheck": "false"}),
        strip=False,
        help_text="A wrong solution the cases must reject.",
    )


class ParamRow(Row):
    legend = "Parameters (drawn per learner)"
    name = forms.CharField(max_length=50, help_text="Written {{name}} in the statement and answers.")
    values = forms.CharField(max_length=500, help_text="Low and high (2, 9 draws 2..9), or three or more values.")
