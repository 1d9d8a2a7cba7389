import json
import re

import yaml
from django import forms
from django_ace import AceWidget

from exercises.content import MAX_NESTING, MAX_POINTS, SLUG, ContentError, ExerciseFile, load_yaml
from exercises.models import Exercise, ExerciseVersion, Module, Topic
from grader.answers import bracket_depth
from grader.compare import COMPARATORS

from . import exchange
from .models import Cohort, Deadline

HINT_SEPARATOR = re.compile(r"^\s*---\s*$", re.MULTILINE)
FIELD_IN_ERROR = re.compile(r"field '([a-z_]+)")


def _ace(height: str = "260px") -> AceWidget:
    return AceWidget(mode="python", theme="chrome", width="100%", height=height, tabsize=4, showprintmargin=False, toolbar=False)


def _yaml_area(rows: int = 6) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "mono", "spellcheck": "false"})


class ExerciseForm(forms.Form):
    """Every field of an exercise file, for every kind; `clean` turns it into a file's
    content and checks it with the course's own reader, so the browser and git agree."""

    # Which form field shows an error that the file reader reports for a file field.
    ERROR_FIELDS = {"compare": "compare_method", "limits": "cpu_seconds", "quiz": "in_quiz"}

    module = forms.ModelChoiceField(queryset=Module.objects.all())
    slug = forms.CharField(max_length=100, help_text="Unique, lowercase letters, digits and dashes; never change it once published.")
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Exercise.Kind.choices)
    difficulty = forms.ChoiceField(choices=Exercise.Difficulty.choices, initial=Exercise.Difficulty.CORE)
    points = forms.IntegerField(min_value=0, max_value=MAX_POINTS, initial=1)
    topics = forms.ModelMultipleChoiceField(queryset=Topic.objects.all(), widget=forms.SelectMultiple(attrs={"size": 8}))
    in_quiz = forms.BooleanField(required=False, label="Quiz question (instead of the problem set)")
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 12, "class": "mono"}), strip=False, help_text="Markdown with $inline$ and $$display$$ math.")
    hints = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}), help_text="Markdown; separate hints with a line holding only ---.")

    # kind: code
    entry_point = forms.CharField(required=False, max_length=100, help_text="The function the learner writes.")
    starter = forms.CharField(required=False, widget=_ace("200px"), strip=False)
    reference = forms.CharField(required=False, widget=_ace(), strip=False)
    cases = forms.CharField(required=False, widget=_ace(), strip=False, label="Input generator", help_text="Defines cases(rng), yielding dicts with name, args, optional kwargs and hidden.")
    compare_method = forms.ChoiceField(required=False, choices=[(name, name) for name in sorted(COMPARATORS)], initial="allclose", label="Comparator")
    rtol = forms.FloatField(required=False, min_value=0, help_text="Relative tolerance (code and numeric).")
    atol = forms.FloatField(required=False, min_value=0, help_text="Absolute tolerance (code and numeric).")
    compare_yaml = forms.CharField(required=False, widget=_yaml_area(4), label="Comparator as YAML", help_text="Optional; replaces the three fields above, e.g. a list with one entry per element of a returned tuple, or options such as axis or system.")
    mutants = forms.CharField(required=False, widget=_yaml_area(8), help_text="Optional YAML list of wrong solutions the cases must reject: - name: ...  code: |")
    plot = forms.CharField(required=False, widget=_yaml_area(3), label="Feedback plot (YAML)", help_text="Optional: auto (the default), none, curve, values, heatmap, or for an optimiser a mapping such as {kind: path, loss: quadratic, A: A, b: b}.")
    gradient = forms.CharField(required=False, widget=_yaml_area(8), label="Gradient check (YAML)", help_text="Optional, for code returning a gradient: arguments, wrt, loss (Python defining loss), and optionally output, derivation, matrices, scalars.")
    # Above the platform's caps a limit is lowered to the cap; these bounds only keep numbers sane.
    cpu_seconds = forms.IntegerField(required=False, min_value=1, max_value=3600, label="CPU seconds")
    memory_mb = forms.IntegerField(required=False, min_value=64, max_value=1_048_576, label="Memory (MB)")

    # kind: symbolic
    answer = forms.CharField(required=False, widget=_yaml_area(8), label="Answer (YAML)", help_text="expected, variables, and optionally assumptions, functions, form, mistakes, up_to_constant.")
    params = forms.CharField(required=False, widget=_yaml_area(3), label="Parameters (YAML)", help_text="Optional: name: [low, high] integers drawn per learner.")

    # kind: numeric
    numeric_value = forms.CharField(required=False, label="Value", help_text="A number, or a JSON list for a vector or matrix.")
    sig_figs = forms.IntegerField(required=False, min_value=1, max_value=15, label="Significant figures", help_text="The precision the statement asks for; sets the tolerance.")
    decimals = forms.IntegerField(required=False, min_value=0, max_value=15, label="Decimal places", help_text="Or this: the number of decimal places the statement asks for.")

    # kind: choice
    multiple = forms.BooleanField(required=False, label="Select all that apply")
    choices = forms.CharField(required=False, widget=_yaml_area(10), label="Choices (YAML)", help_text="A list of: - text: ...  correct: true|false  feedback: ...")

    def __init__(self, *args, exercise: Exercise | None = None, **kwargs):
        self.exercise = exercise
        if exercise is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(exercise)
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.select_related("module")
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
        if exercise.kind == Exercise.Kind.CODE:
            compare = data.get("compare") or {"method": "allclose"}
            simple = isinstance(compare, dict) and set(compare) <= {"method", "rtol", "atol"}
            initial.update({name: data.get(name) for name in ("entry_point", "starter", "reference", "cases")})
            if simple:
                initial.update(compare_method=compare.get("method", "allclose"), rtol=compare.get("rtol"), atol=compare.get("atol"))
            else:
                initial["compare_yaml"] = exchange.dump_yaml(compare)
            initial["mutants"] = exchange.dump_yaml(data["mutants"]) if data.get("mutants") else ""
            initial["plot"] = exchange.dump_yaml(data["plot"]) if data.get("plot") is not None else ""
            initial["gradient"] = exchange.dump_yaml(data["gradient"]) if data.get("gradient") else ""
            initial.update((data.get("limits") or {}).items())
        elif exercise.kind == Exercise.Kind.SYMBOLIC:
            initial["answer"] = exchange.dump_yaml(data["answer"])
            initial["params"] = exchange.dump_yaml(data["params"]) if data.get("params") else ""
        elif exercise.kind == Exercise.Kind.NUMERIC:
            answer = data["answer"]
            initial.update(numeric_value=json.dumps(answer["value"]), rtol=answer.get("rtol"), atol=answer.get("atol"), sig_figs=answer.get("sig_figs"), decimals=answer.get("decimals"))
        elif exercise.kind == Exercise.Kind.CHOICE:
            initial.update(multiple=data.get("multiple", False), choices=exchange.dump_yaml(data["choices"]))
        return initial

    def _yaml(self, name: str, default=None):
        text = self.cleaned_data.get(name) or ""
        if not text.strip():
            return default
        try:
            return load_yaml(text)
        except yaml.YAMLError as exc:
            self.add_error(name, f"Invalid YAML: {exc}")
            return default

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

    def file_data(self) -> dict:
        """The cleaned form as the mapping of an exercise file."""
        data = self.cleaned_data
        kind = data.get("kind") or (self.exercise.kind if self.exercise else "")
        file = {
            "slug": data.get("slug"),
            "title": data.get("title"),
            "kind": kind,
            "topics": [topic.pk for topic in data.get("topics", [])],
            "difficulty": data.get("difficulty"),
            "points": data.get("points"),
            "quiz": bool(data.get("in_quiz")),
            "statement": data.get("statement"),
            "hints": [hint.strip() for hint in HINT_SEPARATOR.split(data.get("hints") or "") if hint.strip()],
        }
        if kind == Exercise.Kind.CODE:
            compare = self._yaml("compare_yaml")
            if compare is None:
                compare = {"method": data.get("compare_method") or "allclose"}
                compare.update({name: data[name] for name in ("rtol", "atol") if data.get(name) is not None})
            limits = {name: data[name] for name in ("cpu_seconds", "memory_mb") if data.get(name)}
            file.update(
                entry_point=data.get("entry_point"),
                starter=data.get("starter"),
                reference=data.get("reference"),
                cases=data.get("cases"),
                compare=compare,
                mutants=self._yaml("mutants", []),
                limits=limits,
                plot=self._yaml("plot"),
                gradient=self._yaml("gradient"),
            )
        elif kind == Exercise.Kind.SYMBOLIC:
            file.update(answer=self._yaml("answer"), params=self._yaml("params", {}))
        elif kind == Exercise.Kind.NUMERIC:
            text = data.get("numeric_value") or "null"
            try:
                if bracket_depth(text) > MAX_NESTING:  # json.loads recurses: refuse before it does
                    raise ValueError
                value = json.loads(text)
            except ValueError:
                self.add_error("numeric_value", "Write a number or a JSON list such as [1, 2.5].")
                value = None
            answer = {"value": value}
            answer.update({name: data[name] for name in ("rtol", "atol", "sig_figs", "decimals") if data.get(name) is not None})
            file["answer"] = answer
        elif kind == Exercise.Kind.CHOICE:
            file.update(multiple=bool(data.get("multiple")), choices=self._yaml("choices"))
        return {key: value for key, value in file.items() if value is not None}

    def clean(self):
        super().clean()
        if self.errors:
            return self.cleaned_data
        data = self.file_data()
        if self.errors:
            return self.cleaned_data
        try:
            self.item: ExerciseFile = exchange.read_data("the form", data)
        except ContentError as exc:
            match = FIELD_IN_ERROR.search(exc.message)
            name = match.group(1) if match else None
            name = self.ERROR_FIELDS.get(name, name)
            if name == "answer" and data["kind"] == Exercise.Kind.NUMERIC:
                name = "numeric_value"
            self.add_error(name if name in self.fields else None, exc.message)
        return self.cleaned_data

    def save(self, *, by) -> tuple[Exercise, ExerciseVersion, bool]:
        how = "edited in the browser" if self.exercise else "created in the browser"
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
    statement = forms.CharField(required=False, strip=False)


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
