"""What every answer kind shares: the content error that names a file and a field, typed access
to one file's fields, and the AnswerKind interface the rest of the platform dispatches through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any, ClassVar


class ContentError(ValueError):
    """A course file, an upload or an authoring form that cannot be read: `path` names the file
    (or "the form"), `field` the file field at fault ("answer.value", "choices[2]"), or None
    when the fault is the whole file."""

    def __init__(self, path: Path | str, field: str | None, message: str):
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.field = field
        self.message = message

    @property
    def top_field(self) -> str | None:
        """The file's own key the error is about: "answer" for "answer.value"."""
        if not self.field:
            return None
        return self.field.split(".")[0].split("[")[0]


class Fields:
    """Typed access to one YAML mapping, with errors that name the file and the field.

    `markdown` checks a Markdown text renders (the loader passes the course's renderer; the
    grader itself knows nothing of Markdown)."""

    def __init__(self, path: Path, data: Any, markdown: Callable[[str, str], None] | None = None):
        if not isinstance(data, dict):
            raise ContentError(path, None, "the file must be a YAML mapping (key: value lines)")
        self.path, self.data = path, data
        self._markdown = markdown

    def get(
        self, name: str, kind: type | tuple, default: Any = ..., *, where: dict | None = None, prefix: str = ""
    ) -> Any:
        data = self.data if where is None else where
        label = f"{prefix}{name}"
        if name not in data or data[name] is None:
            if default is ...:
                raise ContentError(self.path, label, f"missing required field '{label}'")
            return default
        value = data[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise ContentError(self.path, label, f"field '{label}' must be a {expected}, not {type(value).__name__}")
        return value

    def error(self, field: str | None, message: str) -> ContentError:
        return ContentError(self.path, field, message)

    def markdown(self, field: str, text: str) -> None:
        if self._markdown is not None:
            self._markdown(field, text)


def is_number_tree(value) -> bool:
    """A number, or a non-empty (nested) list of numbers; booleans are not numbers here."""
    if isinstance(value, list):
        return bool(value) and all(is_number_tree(item) for item in value)
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class Spec:
    """A kind's spec, typed. Stored as JSON (`as_dict`); read back with `from_dict`."""

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict):
        names = {field.name for field in dataclass_fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


@dataclass
class Group:
    """A fieldset of the authoring form: its legend, plain fields and row sets."""

    legend: str
    fields: list[str]
    rows: list[str]


class AnswerKind:
    """One kind of answer. Subclass, set `name` and the class attributes, and `register` an
    instance: the loader, the engine, the learner's and the instructor's forms, the export and
    the templates then handle exercises of that kind without any other change."""

    name: ClassVar[str]
    label: ClassVar[str]
    spec_class: ClassVar[type[Spec]]
    spec_fields: ClassVar[tuple[str, ...]]  # the exercise file's fields its spec holds, in file order
    prepares_cases: ClassVar[bool] = False  # code: cases and reference outputs prepared per version
    has_preview: ClassVar[bool] = False  # the learner's page shows how a typed answer is read
    answer_template: ClassVar[str] = "exercises/answers/text.html"
    answer_format: ClassVar[str] = "The answer as text."  # for the API and its clients
    answer_label: ClassVar[str] = "Your answer"
    placeholder: ClassVar[str] = ""
    answer_hint: ClassVar[str] = ""  # after the label: what to type
    uses_editor: ClassVar[bool] = False  # the answer is typed in the code editor
    case_names_are_markdown: ClassVar[bool] = False  # feedback rows named by author-written text

    # --- content ---------------------------------------------------------------------------

    def read(self, fields: Fields) -> Spec:
        """The spec of an exercise file, validated; raise ContentError naming the field."""
        raise NotImplementedError

    def file_fields(self, spec: dict) -> dict:
        """The exercise file's fields for a stored spec (what `read` reads back to it)."""
        return {name: spec[name] for name in self.spec_fields if name in spec}

    def spec(self, data: dict) -> Spec:
        """A stored spec, typed."""
        return self.spec_class.from_dict(data)

    # --- grading ---------------------------------------------------------------------------

    def grade(self, spec: dict, answer: str, *, cases=None, context: dict | None = None):
        raise NotImplementedError

    def validation_answers(self, spec: dict, context: dict | None = None) -> list[tuple[str, bool, str]]:
        """(name, should pass, answer) for everything an authoring can be checked with."""
        return []

    # --- the learner's form ---------------------------------------------------------------

    def answer_field(self, spec: dict, initial: str = "", choice_order: list[int] | None = None, inline=str):
        from django import forms

        widget = forms.TextInput(attrs={"placeholder": self.placeholder, "autocomplete": "off", "spellcheck": "false"})
        return forms.CharField(widget=widget, initial=initial, error_messages={"required": "The answer is empty."})

    def clean_answer(self, spec: dict, answer) -> str:
        """The submitted answer as stored text; raise django.forms.ValidationError to refuse it
        before it costs an attempt."""
        return answer

    def unreadable(self, exercise, answer: str) -> str:
        """Why a typed answer cannot be read at all ("" when it can); a quiz question, answered
        once, refuses such an answer instead of grading it."""
        return ""

    def public_fields(self, spec: dict, html: Callable[[str], str]) -> dict:
        """What the API tells a client about answering, besides the statement (`html` renders
        Markdown as the pages do)."""
        return {}

    def form_data(self, answer: str):
        """An answer sent as text (the API) as the learner's form would receive it."""
        return {"answer": answer}

    def answer_texts(self, spec: dict, answer: str) -> list[str]:
        """The answer as Markdown texts to show (chosen choices); empty: shown as typed."""
        return []

    def starter(self, spec: dict) -> str:
        """What the answer field holds on a first visit."""
        return ""

    def keeps_last_answer(self) -> bool:
        """Whether the answer field starts with the learner's last submission."""
        return False

    # --- authoring -------------------------------------------------------------------------

    def authoring_fields(self) -> dict:
        """Form fields (name: django.forms.Field) of this kind; a name another kind declares
        too is one field shared by both (tolerances)."""
        return {}

    def authoring_rows(self) -> dict:
        """Row sets (name: a django Form class for one row) edited with add and remove."""
        return {}

    def authoring_groups(self) -> list[Group]:
        return [Group(self.label, list(self.authoring_fields()), list(self.authoring_rows()))]

    def authoring_initial(self, data: dict) -> dict:
        """The form's initial values (rows as lists of dicts) from an exercise file's mapping."""
        return {name: data.get(name) for name in self.authoring_fields() if data.get(name) is not None}

    def authoring_file_data(self, values: dict, rows: dict[str, list[dict]], error: Callable[[str, str], None]) -> dict:
        """The exercise file's spec fields from the cleaned form; `error(form field, message)`
        reports a problem on its field (all are reported at once)."""
        return {name: values.get(name) for name in self.authoring_fields() if values.get(name) not in (None, "")}

    def authoring_field_for(self, error: ContentError) -> str | None:
        """The form field (or row set) that shows a ContentError about this kind's spec."""
        top = error.top_field
        return top if top in self.authoring_fields() or top in self.authoring_rows() else None
