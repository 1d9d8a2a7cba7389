"""Numeric answers: a number or a list of numbers, within tolerances or to a stated precision."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .base import AnswerKind, ContentError, Fields, Group, Spec, is_number_tree
from .text import MAX_NESTING


@dataclass
class NumericSpec(Spec):
    answer: dict


class NumericKind(AnswerKind):
    name = "numeric"
    label = "Numeric"
    spec_class = NumericSpec
    spec_fields = ("answer",)
    answer_template = "exercises/answers/numeric.html"
    answer_format = "A number, or a list such as [1, 2.5] for a vector."
    placeholder = "e.g. 0.25 or [1, 2.5]"

    def read(self, fields: Fields) -> NumericSpec:
        answer = fields.get("answer", dict)

        def fail(name: str, message: str) -> ContentError:
            return fields.error(f"answer.{name}" if name else "answer", message)

        if not is_number_tree(answer.get("value")):
            raise fail("value", "field 'answer.value' must be a number or a list of numbers")
        for name in ("rtol", "atol"):
            if answer.get(name) is not None and not is_number_tree(answer[name]):
                raise fail(name, f"field 'answer.{name}' must be a number")
        for name in ("show_direction", "show_tolerance"):
            if name in answer and not isinstance(answer[name], bool):
                raise fail(name, f"field 'answer.{name}' must be true or false")
        stated = [name for name in ("decimals", "sig_figs") if answer.get(name) is not None]
        for name in stated:
            value = answer[name]
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or value < (0 if name == "decimals" else 1)
                or value > 15
            ):
                raise fail(
                    name, f"field 'answer.{name}' must be a whole number of places (0-15 decimals, 1-15 figures)"
                )
        if len(stated) > 1:
            raise fail(stated[1], "field 'answer': give either 'decimals' or 'sig_figs', not both")
        if stated and any(answer.get(name) is not None for name in ("rtol", "atol")):
            raise fail(stated[0], f"field 'answer': '{stated[0]}' sets the tolerance; remove 'rtol' and 'atol'")
        return NumericSpec(answer=answer)

    def grade(self, spec: dict, answer: str, *, cases=None, context: dict | None = None):
        from ..answers import grade_numeric

        return grade_numeric(spec, answer)

    def validation_answers(self, spec: dict, context: dict | None = None) -> list[tuple[str, bool, str]]:
        return [("expected value", True, json.dumps(spec["answer"]["value"]))]

    def clean_answer(self, spec: dict, answer) -> str:
        from django import forms

        from ..answers import numeric_size_problem

        if problem := numeric_size_problem(answer):
            raise forms.ValidationError(problem)
        return answer

    def unreadable(self, exercise, answer: str) -> str:
        from ..answers import NotANumber, parse_number_text

        try:
            parse_number_text(answer)
        except NotANumber as exc:
            return str(exc)
        return ""

    # --- authoring -------------------------------------------------------------------------

    def authoring_fields(self) -> dict:
        from django import forms

        from .forms import tolerance_fields

        return {
            "numeric_value": forms.CharField(
                required=False, label="Value", help_text="A number, or a JSON list for a vector or matrix."
            ),
            "sig_figs": forms.IntegerField(
                required=False,
                min_value=1,
                max_value=15,
                label="Significant figures",
                help_text="The precision the statement asks for; sets the tolerance.",
            ),
            "decimals": forms.IntegerField(
                required=False,
                min_value=0,
                max_value=15,
                label="Decimal places",
                help_text="Or this: the number of decimal places the statement asks for.",
            ),
            # Files say show_direction: false; the form's box is unticked by default, as the file's field is absent.
            "hide_direction": forms.BooleanField(
                required=False,
                label="Do not say whether a miss is too large or too small",
                help_text="Where the direction would give the answer away.",
            ),
            "hide_tolerance": forms.BooleanField(required=False, label="Do not say what tolerance counts as right"),
            **tolerance_fields(),
        }

    def authoring_groups(self) -> list[Group]:
        return [
            Group("Tolerances", ["rtol", "atol"], []),
            Group("Numeric answer", ["numeric_value", "sig_figs", "decimals", "hide_direction", "hide_tolerance"], []),
        ]

    def authoring_initial(self, data: dict) -> dict:
        answer = data.get("answer") or {}
        initial = {"numeric_value": json.dumps(answer.get("value"))}
        initial.update((name, answer.get(name)) for name in ("rtol", "atol", "sig_figs", "decimals"))
        initial.update(
            hide_direction=answer.get("show_direction") is False, hide_tolerance=answer.get("show_tolerance") is False
        )
        return initial

    def authoring_file_data(self, values: dict, rows: dict, error) -> dict:
        from ..answers import bracket_depth

        text = values.get("numeric_value") or "null"
        value = None
        try:
            if bracket_depth(text) > MAX_NESTING:  # json.loads recurses: refuse before it does
                raise ValueError
            value = json.loads(text)
        except ValueError:
            error("numeric_value", "Write a number or a JSON list such as [1, 2.5].")
        answer = {"value": value}
        answer.update(
            {name: values[name] for name in ("rtol", "atol", "sig_figs", "decimals") if values.get(name) is not None}
        )
        answer.update({f"show_{name}": False for name in ("direction", "tolerance") if values.get(f"hide_{name}")})
        return {"answer": answer}

    def authoring_field_for(self, error: ContentError) -> str | None:
        name = (error.field or "").removeprefix("answer.")
        return name if name in ("rtol", "atol", "sig_figs", "decimals") else "numeric_value"
