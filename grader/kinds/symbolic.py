"""Symbolic answers: an expression (or matrix expression) checked for equivalence by the
symbolic checker processes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..limits import SYMBOLIC_MAX_CHARS
from .base import AnswerKind, ContentError, Fields, Group, Spec
from .text import dump_yaml, lf, names_list, yaml_field

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MATRIX_ENTRIES = ("normal", "positive", "unit", "distribution", "symmetric", "spd")
# The answer block's keys with a form field of their own; any other key is "more options".
OWN_KEYS = ("expected", "variables", "mistakes")


@dataclass
class SymbolicSpec(Spec):
    answer: dict
    params: dict = field(default_factory=dict)


def is_dimension(part) -> bool:
    if isinstance(part, bool):
        return False
    return (isinstance(part, int) and part >= 1) or (isinstance(part, str) and part.isidentifier())


def matrix_declaration(path, answer: dict, where: str, field_name: str) -> None:
    """`matrices` (name: [rows, columns] or {shape, entries}), `scalars` and `dims`, checked
    for form here; the expressions themselves are read by the checker when validating."""

    def fail(message: str) -> ContentError:
        return ContentError(path, field_name, message)

    matrices = answer.get("matrices")
    if not isinstance(matrices, dict) or not matrices:
        raise fail(f"{where}: 'matrices' must map names to shapes, like X: [n, d]")
    for name, value in matrices.items():
        shape = value.get("shape") if isinstance(value, dict) else value
        entries = value.get("entries", "normal") if isinstance(value, dict) else "normal"
        if not (isinstance(name, str) and name.isidentifier() and name not in ("T", "I")):
            raise fail(f"{where}: {name!r} cannot name a matrix (T and I mean transpose and identity)")
        if not (isinstance(shape, list) and len(shape) == 2 and all(is_dimension(part) for part in shape)):
            raise fail(f"{where}: the shape of {name!r} must be two dimension names or sizes, like [n, 1]")
        if entries not in MATRIX_ENTRIES:
            raise fail(f"{where}: entries of {name!r} must be one of {', '.join(MATRIX_ENTRIES)}")
    scalars = answer.get("scalars") or []
    if not (isinstance(scalars, list) and all(isinstance(s, str) and s.isidentifier() for s in scalars)):
        raise fail(f"{where}: 'scalars' must be a list of names")
    for dimension, sizes in (answer.get("dims") or {}).items():
        if not (
            isinstance(sizes, list)
            and len(sizes) == 2
            and all(isinstance(v, int) and 1 <= v <= 12 for v in sizes)
            and sizes[0] <= sizes[1]
        ):
            raise fail(f"{where}: 'dims' of {dimension!r} must be a range [low, high] within 1..12")


class SymbolicKind(AnswerKind):
    name = "symbolic"
    label = "Symbolic"
    spec_class = SymbolicSpec
    spec_fields = ("answer", "params")
    has_preview = True
    answer_template = "exercises/answers/symbolic.html"
    answer_format = "An expression in SymPy-style text, e.g. 2*x*y + 3*y^2 (^ is a power)."
    placeholder = "e.g. 2*x*y + 3*y^2"

    def read(self, fields: Fields) -> SymbolicSpec:
        answer = fields.get("answer", dict)
        if not isinstance(answer.get("expected"), str | list) or not answer["expected"]:
            raise fields.error(
                "answer.expected", "field 'answer.expected' must be an expression string or a list of rows"
            )
        for index, mistake in enumerate(answer.get("mistakes") or []):
            if not (isinstance(mistake, dict) and isinstance(mistake.get("answer"), str | list)):
                raise fields.error(
                    f"answer.mistakes[{index + 1}]", f"field 'answer.mistakes': mistake {index + 1} needs an 'answer'"
                )
        if answer.get("matrices") is not None:
            matrix_declaration(fields.path, answer, "field 'answer'", "answer")
            gradient = answer.get("gradient")
            if gradient is not None and not (
                isinstance(gradient, dict)
                and isinstance(gradient.get("loss"), str)
                and gradient.get("wrt") in answer["matrices"]
            ):
                raise fields.error(
                    "answer.gradient",
                    "field 'answer.gradient' needs 'loss' (an expression) and 'wrt' (a declared matrix)",
                )
        return SymbolicSpec(answer=answer, params=fields.get("params", dict, {}))

    def grade(self, spec: dict, answer: str, *, cases=None, context: dict | None = None):
        from ..symbolic import grade_symbolic

        return grade_symbolic(spec, answer, context or {})

    def validation_answers(self, spec: dict, context: dict | None = None) -> list[tuple[str, bool, str]]:
        from ..symbolic.grading import answer_spec_for

        answer = answer_spec_for(spec, context)  # the expected answer and mistakes for these parameters

        def text(value) -> str:
            return value if isinstance(value, str) else json.dumps(value)

        checks = [("expected answer", True, text(answer["expected"]))]
        return checks + [
            (f"mistake: {text(m['answer'])}", False, text(m["answer"])) for m in answer.get("mistakes", [])
        ]

    def public_fields(self, spec: dict, html) -> dict:
        return {"variables": list((spec.get("answer") or {}).get("variables") or [])}

    def clean_answer(self, spec: dict, answer) -> str:
        from django import forms

        if len(answer) > SYMBOLIC_MAX_CHARS:
            raise forms.ValidationError(
                f"The answer is {len(answer):,} characters long; at most {SYMBOLIC_MAX_CHARS:,} are allowed."
            )
        return answer

    def unreadable(self, exercise, answer: str) -> str:
        error = exercise.preview_answer(answer).get("error") or {}
        if "text" in error:  # a ParseError's; not "the checker is busy", which must not refuse
            return " ".join(part for part in (error.get("message"), error.get("suggestion")) if part)
        return ""

    # --- authoring -------------------------------------------------------------------------

    def authoring_fields(self) -> dict:
        from django import forms

        from .forms import math_area, previewed, yaml_area

        return {
            "expected": previewed(
                forms.CharField(
                    required=False,
                    widget=math_area(2),
                    label="Expected answer",
                    help_text='SymPy-style text such as exp(-x)/(1 + exp(-x))^2, or LaTeX; a matrix as a list of rows, [["2*x", "1"], ["0", "3"]]. Write {{a}} for a parameter.',
                ),
                "expression",
            ),
            "variables": forms.CharField(
                required=False,
                max_length=500,
                label="Variables",
                help_text="The symbols the learner may use, separated by commas.",
            ),
            "answer_options": forms.CharField(
                required=False,
                widget=yaml_area(4),
                label="More answer options (YAML)",
                help_text="Optional: assumptions, functions, form, up_to_constant, operators; matrices, scalars, dims and gradient for a matrix answer.",
            ),
        }

    def authoring_rows(self) -> dict:
        from .forms import MistakeRow, ParamRow

        return {"mistakes": MistakeRow, "params": ParamRow}

    def authoring_groups(self) -> list[Group]:
        return [Group("Symbolic answer", list(self.authoring_fields()), ["mistakes", "params"])]

    def authoring_initial(self, data: dict) -> dict:
        answer = dict(data.get("answer") or {})
        expected = answer.pop("expected", "")
        mistakes = answer.pop("mistakes", None) or []
        variables = answer.pop("variables", None) or []
        return {
            "expected": expected if isinstance(expected, str) else json.dumps(expected),
            "variables": ", ".join(map(str, variables)),
            "answer_options": dump_yaml(answer) if answer else "",
            "mistakes": [
                {
                    "answer": m.get("answer") if isinstance(m.get("answer"), str) else json.dumps(m.get("answer")),
                    "hint": m.get("hint", ""),
                    "name": m.get("name", ""),
                }
                for m in mistakes
                if isinstance(m, dict)
            ],
            "params": [
                {"name": name, "values": ", ".join(map(str, values)) if isinstance(values, list) else str(values)}
                for name, values in (data.get("params") or {}).items()
            ],
        }

    def authoring_file_data(self, values: dict, rows: dict, error) -> dict:
        options = yaml_field(values, "answer_options", error, {})
        if not isinstance(options, dict):
            error("answer_options", "Write a YAML mapping, such as up_to_constant: true.")
            options = {}
        clash = sorted(set(options) & set(OWN_KEYS))
        if clash:
            error("answer_options", f"{', '.join(clash)} have fields of their own above.")
        answer = {
            "expected": _expression(lf(values.get("expected") or "").strip()),
            "variables": names_list(values.get("variables")),
        }
        answer.update((key, value) for key, value in options.items() if key not in OWN_KEYS)
        mistakes = []
        for row in rows.get("mistakes", []):
            mistake = {"answer": _expression(row["answer"].strip()), "hint": lf(row.get("hint") or "")}
            if row.get("name"):
                mistake["name"] = row["name"]
            mistakes.append(mistake)
        if mistakes:
            answer["mistakes"] = mistakes
        params = {}
        for index, row in enumerate(rows.get("params", [])):
            try:
                numbers = [int(part) for part in names_list(row.get("values"))]
            except ValueError:
                error("params", f"Parameter {index + 1}: write whole numbers, such as 2, 9 for 2..9.")
                continue
            if not row["name"].isidentifier() or len(numbers) < 2:
                error("params", f"Parameter {index + 1}: a name, and two numbers (low, high) or a list of values.")
                continue
            params[row["name"]] = numbers
        return {"answer": answer, "params": params}

    def authoring_field_for(self, error: ContentError) -> str | None:
        if error.field == "answer.expected":
            return "expected"
        if (error.field or "").startswith("answer.mistakes"):
            return "mistakes"
        if error.top_field == "answer":
            return "answer_options"
        return "params" if error.top_field == "params" else None


def _expression(text: str):
    """A matrix typed as a list of rows is kept as rows; anything else is expression text."""
    if text.startswith("[["):
        try:
            rows = json.loads(text)
        except ValueError:
            return text
        if isinstance(rows, list) and all(isinstance(row, list) for row in rows):
            return [[str(item) for item in row] for row in rows]
    return text
