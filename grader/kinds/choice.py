"""Multiple choice: one right choice, or several with `multiple`; all or nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .base import AnswerKind, ContentError, Fields, Group, Spec
from .text import lf


@dataclass
class ChoiceSpec(Spec):
    choices: list[dict]
    multiple: bool = False


class ChoiceKind(AnswerKind):
    name = "choice"
    label = "Multiple choice"
    spec_class = ChoiceSpec
    spec_fields = ("multiple", "choices")
    answer_template = "exercises/answers/choice.html"
    case_names_are_markdown = True
    answer_format = "The index of the option you pick (from 0), or a list of indices such as [0, 2]."

    def read(self, fields: Fields) -> ChoiceSpec:
        choices = fields.get("choices", list)
        multiple = fields.get("multiple", bool, False)
        if len(choices) < 2:
            raise fields.error("choices", "field 'choices' needs at least two choices")
        for index, choice in enumerate(choices):
            if not isinstance(choice, dict) or not isinstance(choice.get("text"), str):
                raise fields.error(f"choices[{index + 1}]", f"field 'choices': choice {index + 1} needs a 'text'")
            fields.markdown(f"choices[{index + 1}]", choice["text"])
            choice["correct"] = bool(choice.get("correct", False))
            choice["feedback"] = str(choice.get("feedback") or "")
        right = sum(choice["correct"] for choice in choices)
        if right == 0 or (right > 1 and not multiple):
            raise fields.error("choices", "field 'choices': mark exactly one correct choice, or set multiple: true")
        return ChoiceSpec(choices=choices, multiple=multiple)

    def grade(self, spec: dict, answer: str, *, cases=None, context: dict | None = None):
        from ..answers import grade_choice

        return grade_choice(spec, answer)

    def validation_answers(self, spec: dict, context: dict | None = None) -> list[tuple[str, bool, str]]:
        right = [index for index, choice in enumerate(spec["choices"]) if choice["correct"]]
        wrong = [index for index, choice in enumerate(spec["choices"]) if not choice["correct"]]
        return [("correct choices", True, json.dumps(right)), ("a wrong choice", False, json.dumps(wrong[:1]))]

    def answer_field(self, spec: dict, initial: str = "", choice_order: list[int] | None = None, inline=str):
        from django import forms

        # Choice texts are Markdown with math, sanitised by the renderer like any statement.
        choices = [(str(index), inline(choice["text"])) for index, choice in enumerate(spec["choices"])]
        if choice_order and sorted(choice_order) == list(range(len(choices))):
            choices = [choices[index] for index in choice_order]  # shown shuffled, answered by index
        picked = _picked(initial)  # a restored answer: the indices it picked
        if spec.get("multiple"):
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, initial=picked,
                error_messages={"required": "Pick at least one of the choices."},
            )  # fmt: skip
        return forms.ChoiceField(
            choices=choices, widget=forms.RadioSelect, initial=picked[0] if picked else None,
            error_messages={"required": "Pick one of the choices."},
        )  # fmt: skip

    def clean_answer(self, spec: dict, answer) -> str:
        picked = answer if isinstance(answer, list) else [answer]
        return json.dumps(sorted(int(index) for index in picked))

    def public_fields(self, spec: dict, html) -> dict:
        choices = [
            {"index": index, "text": choice["text"], "text_html": html(choice["text"])}
            for index, choice in enumerate(spec.get("choices", []))
        ]
        return {"choices": choices, "multiple": bool(spec.get("multiple"))}

    def form_data(self, answer: str):
        from django.utils.datastructures import MultiValueDict

        try:
            picked = json.loads(answer)
        except ValueError:
            picked = answer.strip()
        values = picked if isinstance(picked, list) else [picked]
        return MultiValueDict({"answer": [str(value) for value in values]})

    def answer_texts(self, spec: dict, answer: str) -> list[str]:
        try:
            choices = spec["choices"]
            return [choices[index]["text"] for index in json.loads(answer)]
        except (ValueError, TypeError, KeyError, IndexError):
            return [answer]

    # --- authoring -------------------------------------------------------------------------

    def authoring_fields(self) -> dict:
        from django import forms

        return {"multiple": forms.BooleanField(required=False, label="Select all that apply")}

    def authoring_rows(self) -> dict:
        from .forms import ChoiceRow

        return {"choices": ChoiceRow}

    def authoring_groups(self) -> list[Group]:
        return [Group("Multiple choice", ["multiple"], ["choices"])]

    def authoring_initial(self, data: dict) -> dict:
        return {
            "multiple": data.get("multiple", False),
            "choices": [
                {"text": c.get("text", ""), "correct": bool(c.get("correct")), "feedback": c.get("feedback", "")}
                for c in data.get("choices") or []
                if isinstance(c, dict)
            ],
        }

    def authoring_file_data(self, values: dict, rows: dict, error) -> dict:
        choices = []
        for row in rows.get("choices", []):
            choice = {"text": lf(row["text"]), "correct": bool(row.get("correct"))}
            if row.get("feedback"):
                choice["feedback"] = lf(row["feedback"])
            choices.append(choice)
        return {"multiple": bool(values.get("multiple")), "choices": choices}

    def authoring_field_for(self, error: ContentError) -> str | None:
        return "choices" if error.top_field == "choices" else None


def _picked(answer: str) -> list[str]:
    try:
        picked = json.loads(answer) if answer else []
    except ValueError:
        return []
    return [str(index) for index in picked if isinstance(index, int)] if isinstance(picked, list) else []
