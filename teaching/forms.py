import re

from django import forms

from exercises.content import MAX_POINTS, ContentError, ExerciseFile, read_spec
from exercises.models import Exercise, ExerciseVersion, Module, Topic
from grader import kinds
from grader.kinds.symbolic import SLUG
from grader.kinds.text import lf, names_list
from grader.symbolic.params import lowest, substitute

from . import exchange
from .models import Cohort, Deadline

HINT_SEPARATOR = re.compile(r"^\s*---\s*$", re.MULTILINE)
ROW_INDEX = re.compile(r"\[(\d+)\]")
PARAM_NAME = re.compile(r"^params-\d+-name$")
# Which form field shows a ContentError about a field every kind shares.
COMMON_ERROR_FIELDS = {"quiz": "in_quiz"}


class ExerciseForm(forms.Form):
    """Every field of an exercise file: the fields all kinds share, then each registered kind's
    own fields and row sets (grader/kinds). `clean` turns the form into a file's content and
    checks it with the course's own reader, so the browser and git agree; every problem found
    is reported in the same round, on its field or row."""

    module = forms.ModelChoiceField(queryset=Module.objects.all())
    slug = forms.CharField(
        max_length=100, help_text="Unique, lowercase letters, digits and dashes; never change it once published."
    )
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=[])
    difficulty = forms.ChoiceField(choices=Exercise.Difficulty.choices, initial=Exercise.Difficulty.CORE)
    points = forms.IntegerField(min_value=0, max_value=MAX_POINTS, initial=1)
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(), widget=forms.SelectMultiple(attrs={"size": 8})
    )
    in_quiz = forms.BooleanField(required=False, label="Quiz question (instead of the problem set)")
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "class": "mono"}),
        strip=False,
        help_text="Markdown with $inline$ and $$display$$ math.",
    )
    hints = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}),
        help_text="Markdown; separate hints with a line holding only ---.",
    )
    change_note = forms.CharField(
        required=False,
        max_length=300,
        label="What changed",
        help_text="Optional; kept with the new version in its history.",
    )

    def __init__(self, data=None, *, exercise: Exercise | None = None, initial: dict | None = None, **kwargs):
        self.exercise = exercise
        if exercise is not None and initial is None:
            initial = self.initial_for(exercise)
        initial = initial or {}
        super().__init__(data, initial=initial, **kwargs)
        self.fields["kind"].choices = kinds.choices()
        self.fields["topics"].queryset = Topic.objects.select_related("module")
        for kind in kinds.registered():
            for name, field in kind.authoring_fields().items():
                self.fields.setdefault(name, field)  # a field two kinds declare is one field
        self.rows: dict[str, forms.BaseFormSet] = {}
        for kind in kinds.registered():
            for name, row in kind.authoring_rows().items():
                rows = initial.get(name) or []
                formset = forms.formset_factory(row, extra=0 if rows else 1, can_delete=True)
                self.rows[name] = formset(data, prefix=name, initial=rows)
        if exercise is not None and exercise.submissions.exists():
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = "Fixed: learners have already answered this exercise."

    @staticmethod
    def initial_for(exercise: Exercise) -> dict:
        data = exchange.file_data(exercise)
        initial = {
            "module": exercise.module_id,
            "topics": data["topics"],
            "in_quiz": data["quiz"],
            "hints": "\n---\n".join(data.get("hints", [])),
            **{name: data.get(name) for name in ("slug", "title", "kind", "difficulty", "points", "statement")},
        }
        initial.update(exercise.answer_kind.authoring_initial(data))
        return initial

    def groups(self) -> list[dict]:
        """The kinds' fieldsets, each shown for the kinds that use it (a fieldset two kinds
        declare alike, such as the tolerances, is shown once)."""
        merged: dict[tuple, dict] = {}
        for kind in kinds.registered():
            for group in kind.authoring_groups():
                key = (group.legend, tuple(group.fields), tuple(group.rows))
                entry = merged.setdefault(
                    key,
                    {
                        "legend": group.legend,
                        "kinds": [],
                        "fields": [self[name] for name in group.fields],
                        "rows": [self.row_set(name) for name in group.rows],
                    },
                )
                entry["kinds"].append(kind.name)
        return [{**entry, "kinds": " ".join(entry["kinds"])} for entry in merged.values()]

    def row_set(self, name: str) -> dict:
        formset = self.rows[name]
        label = getattr(formset.form, "legend", "") or name.replace("_", " ").capitalize()
        return {"name": name, "label": label, "formset": formset}

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if not SLUG.match(slug):
            raise forms.ValidationError("Use lowercase letters, digits and dashes.")
        taken = Exercise.objects.filter(slug=slug)
        if self.exercise is not None:
            taken = taken.exclude(pk=self.exercise.pk)
        if taken.exists():
            raise forms.ValidationError("Another exercise already uses this slug.")
        return slug

    def answer_kind(self) -> kinds.AnswerKind:
        name = self.cleaned_data.get("kind") or (self.exercise.kind if self.exercise else "")
        return kinds.get(name)

    def _rows(self, kind: kinds.AnswerKind) -> dict[str, list[dict]]:
        """The kept rows of the kind's row sets; a row's own errors stay on that row."""
        self.kept_rows: dict[str, list] = {}
        values = {}
        for name in kind.authoring_rows():
            formset = self.rows[name]
            if f"{name}-TOTAL_FORMS" not in self.data:  # posted without this row set: no rows
                values[name], self.kept_rows[name] = [], []
                continue
            if not formset.is_valid():
                self.add_error(None, f"Some rows of {name} need attention (shown on each row).")
            # An untouched extra row is valid and empty (Django skips it); it is not a row.
            kept = [
                row
                for row in formset.forms
                if row.is_valid() and row.cleaned_data and not row.cleaned_data.get("DELETE")
            ]
            self.kept_rows[name] = kept
            values[name] = [row.cleaned_data for row in kept]
        return values

    def _report(self, name: str | None, message: str) -> None:
        if name in self.rows:
            self.rows[name].non_form_errors().append(message)
            self._row_problem = True
        elif name not in self.fields or name not in self.errors:
            self.add_error(name if name in self.fields else None, message)

    def file_data(self) -> dict:
        """The cleaned form as the mapping of an exercise file."""
        data = self.cleaned_data
        kind = self.answer_kind()
        file = {
            "slug": data.get("slug"),
            "title": data.get("title"),
            "kind": kind.name,
            "topics": [topic.pk for topic in data.get("topics", [])],
            "difficulty": data.get("difficulty"),
            "points": data.get("points"),
            "quiz": bool(data.get("in_quiz")),
            "statement": lf(data.get("statement")),
            "hints": [hint.strip() for hint in HINT_SEPARATOR.split(lf(data.get("hints") or "")) if hint.strip()],
        }
        file.update(kind.authoring_file_data(data, self._rows(kind), self._report))
        return {key: value for key, value in file.items() if value is not None}

    def clean(self):
        super().clean()
        self._row_problem = False
        try:
            kind = self.answer_kind()
        except kinds.UnknownKind:
            return self.cleaned_data
        data = self.file_data()
        try:
            if self.errors:  # the whole file cannot be read yet: check the kind's fields alone
                read_spec("the form", kind.name, data)
            else:
                self.item: ExerciseFile = exchange.read_data("the form", data)
        except ContentError as exc:
            self._content_error(kind, exc)
        return self.cleaned_data

    def _content_error(self, kind: kinds.AnswerKind, exc: ContentError) -> None:
        """The reader's error, on the field it names (unless that field already shows one)."""
        name = kind.authoring_field_for(exc) or COMMON_ERROR_FIELDS.get(exc.top_field, exc.top_field)
        if name in self.rows:
            index = ROW_INDEX.search(exc.field or "")
            kept = self.kept_rows.get(name) or []
            if index and 0 < int(index.group(1)) <= len(kept):
                kept[int(index.group(1)) - 1].add_error(None, exc.message)
                self.add_error(None, f"Some rows of {name} need attention (shown on each row).")
            else:
                self._report(name, exc.message)
                self.add_error(None, exc.message)
            return
        if name in self.fields and name in self.errors:
            return  # the field's own error says it already
        self.add_error(name if name in self.fields else None, exc.message)

    def save(self, *, by) -> tuple[Exercise, ExerciseVersion, bool]:
        how = "edited in the browser" if self.exercise else "created in the browser"
        if note := self.cleaned_data.get("change_note", "").strip():
            how = f"{how}: {note}"
        return exchange.save(self.item, self.cleaned_data["module"], self.exercise, by=by, how=how)


class PublishForm(forms.Form):
    """Publishing needs a passing gate, or a written reason to publish anyway."""

    override_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Publish anyway, because",
        help_text="Only when the gate fails: the reason is kept with the version and in the audit log.",
    )

    def __init__(self, *args, problems: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.problems = problems

    def clean_override_reason(self) -> str:
        reason = self.cleaned_data["override_reason"].strip()
        if self.problems and len(reason) < 10:
            raise forms.ValidationError("The gate fails: " + "; ".join(self.problems) + ". To publish anyway, say why.")
        return reason


class CoauthorForm(forms.Form):
    username = forms.CharField(max_length=150, label="Add a co-author (username)")

    def clean_username(self):
        from django.contrib.auth import get_user_model

        from exercises.access import is_instructor

        user = get_user_model().objects.filter(username=self.cleaned_data["username"].strip()).first()
        if user is None or not is_instructor(user):
            raise forms.ValidationError("No instructor has this username.")
        return user


class PreviewForm(forms.Form):
    """Any Markdown field of the authoring form: `field` names it (the statement by default)."""

    field = forms.CharField(required=False, max_length=200)

    def clean(self):
        name = self.cleaned_data.get("field") or "statement"
        text = str(self.data.get(name, "")).replace("\x00", "")
        if len(text) > 100_000:
            raise forms.ValidationError("Too long to preview.")
        self.cleaned_data["text"] = text
        return self.cleaned_data


class ExpressionPreviewForm(forms.Form):
    """A symbolic answer typed in the authoring form (the expected answer or a mistake), read
    with the form's variables and its parameters at their lowest values."""

    field = forms.CharField(max_length=200)
    variables = forms.CharField(required=False, max_length=500)

    def clean(self):
        text = str(self.data.get(self.cleaned_data.get("field", ""), ""))
        params = {}
        for key, name in self.data.items():
            if PARAM_NAME.match(key) and name.isidentifier():
                numbers = [
                    part
                    for part in names_list(self.data.get(key[: -len("name")] + "values"))
                    if part.lstrip("-").isdigit()
                ]
                if numbers:
                    params[name] = [int(number) for number in numbers]
        self.cleaned_data["spec"] = {
            "answer": {"variables": names_list(self.cleaned_data.get("variables"))},
            "params": params,
        }
        self.cleaned_data["text"] = substitute(text, lowest(params)) if params else text
        return self.cleaned_data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, as Django's documentation shows."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".yaml,.yml,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            # An empty list would pass the per-file check below without it ever running.
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class ImportForm(forms.Form):
    module = forms.ModelChoiceField(queryset=Module.objects.all(), help_text="The module the exercises join.")
    files = MultipleFileField(help_text="Exercise files (*.yaml), or a zip of a module folder as exported here.")
    confirm = forms.BooleanField(
        required=False, label="Yes, move or replace the exercises listed above", widget=forms.CheckboxInput
    )


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name"]


class JoinForm(forms.Form):
    code = forms.CharField(max_length=32, label="Invite code")

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        cohort = Cohort.objects.filter(invite_code=code).first()
        if cohort is None:
            raise forms.ValidationError("No cohort has this invite code.")
        self.cohort = cohort
        return code


class DeadlineForm(forms.ModelForm):
    """A deadline, typed in the instructor's own time zone (the browser's, as every time shown)."""

    due_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="Due")

    class Meta:
        model = Deadline
        fields = ["module", "quiz", "due_at", "late_policy"]
        labels = {"quiz": "The quiz (not the problem set)", "late_policy": "Late work is"}


class SelectionForm(forms.Form):
    """The cohort's own exercises, one slug per line, in the order learners see them."""

    slugs = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "mono"}),
        label="Exercises (one slug per line, in order; empty: every published exercise)",
    )

    def clean_slugs(self) -> list[Exercise]:
        slugs = [line.strip() for line in self.cleaned_data["slugs"].splitlines() if line.strip()]
        found = {e.slug: e for e in Exercise.objects.published().problem_set().filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise forms.ValidationError(f"Not a published problem-set exercise: {', '.join(unknown[:10])}")
        if len(set(slugs)) != len(slugs):
            raise forms.ValidationError("An exercise is listed twice.")
        return [found[slug] for slug in slugs]
