import json

from confusable_homoglyphs import confusables
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.validators import MaxLengthValidator
from django.utils.safestring import mark_safe
from django_ace import AceWidget

from grader.answers import numeric_size_problem
from grader.limits import SYMBOLIC_MAX_CHARS

from .markdown import render_markdown_or_escape
from .models import Exercise


def inline_markdown(text: str) -> str:
    html = render_markdown_or_escape(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return mark_safe(html)


class LoginForm(AuthenticationForm):
    """Django's login form, which limits the username's length in the widget only: a longer
    name went on to authenticate() and into the lockout records' column. Here it is refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))


class SignupForm(UserCreationForm):
    """Usernames arrive NFKC-normalised (Django's UsernameField) and are unique regardless of
    case (UserCreationForm); one that mixes scripts with look-alike letters, such as a
    Cyrillic е inside Latin letters, would pass for someone else's and is refused."""

    class Meta(UserCreationForm.Meta):
        fields = ("username",)

    def clean_username(self):
        username = super().clean_username()
        if username and confusables.is_dangerous(username):
            raise forms.ValidationError(
                "This username mixes alphabets with letters that look alike (such as a Cyrillic е among Latin letters). "
                "Use letters from one alphabet."
            )
        return username


def _answer_field(exercise: Exercise, initial: str = "", choice_order: list[int] | None = None) -> forms.Field:
    if exercise.kind == Exercise.Kind.CODE:
        widget = AceWidget(mode="python", theme="chrome", width="100%", height="320px", tabsize=4, showprintmargin=False, toolbar=False)
        return forms.CharField(widget=widget, initial=initial, strip=False)
    if exercise.kind == Exercise.Kind.CHOICE:
        # Choice texts are Markdown with math, sanitised by the renderer like any statement.
        choices = [(str(index), inline_markdown(choice["text"])) for index, choice in enumerate(exercise.spec["choices"])]
        if choice_order and sorted(choice_order) == list(range(len(choices))):
            choices = [choices[index] for index in choice_order]  # shown shuffled, answered by index
        if exercise.spec.get("multiple"):
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
    placeholder = "e.g. 2*x*y + 3*y^2" if exercise.kind == Exercise.Kind.SYMBOLIC else "e.g. 0.25 or [1, 2.5]"
    return forms.CharField(widget=forms.TextInput(attrs={"placeholder": placeholder, "autocomplete": "off", "spellcheck": "false"}), initial=initial)


class AnswerForm(forms.Form):
    def __init__(self, exercise: Exercise, *args, initial_answer: str = "", choice_order: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exercise = exercise
        self.fields["answer"] = _answer_field(exercise, initial_answer, choice_order)

    def clean_answer(self) -> str:
        answer = self.cleaned_data["answer"]
        if self.exercise.kind == Exercise.Kind.CHOICE:
            picked = answer if isinstance(answer, list) else [answer]
            return json.dumps(sorted(int(index) for index in picked))
        if len(answer.encode()) > settings.MAX_ANSWER_BYTES:
            raise forms.ValidationError(f"The answer is too long (at most {settings.MAX_ANSWER_BYTES // 1000} KB).")
        if not answer.strip():
            raise forms.ValidationError("The answer is empty.")
        # The checkers' own caps: refused here, the answer costs no attempt.
        if self.exercise.kind == Exercise.Kind.SYMBOLIC and len(answer) > SYMBOLIC_MAX_CHARS:
            raise forms.ValidationError(f"The answer is {len(answer):,} characters long; at most {SYMBOLIC_MAX_CHARS:,} are allowed.")
        if self.exercise.kind == Exercise.Kind.NUMERIC and (problem := numeric_size_problem(answer)):
            raise forms.ValidationError(problem)
        return answer
