from confusable_homoglyphs import confusables
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.validators import MaxLengthValidator
from django.utils.safestring import mark_safe

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
    Cyrillic е inside Latin letters, would pass for someone else's and is refused. The email
    address is asked for so that a forgotten password can be reset."""

    email = forms.EmailField(
        label="Email address", max_length=254,
        help_text="Only used to send you a link if you forget your password.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def clean_username(self):
        username = super().clean_username()
        if username and confusables.is_dangerous(username):
            raise forms.ValidationError(
                "This username mixes alphabets with letters that look alike (such as a Cyrillic е among Latin letters). "
                "Use letters from one alphabet."
            )
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email address exists already: log in, or reset its password."
            )
        return email


class AnswerForm(forms.Form):
    # The server says what is missing, next to the button: a browser's own check would block an
    # empty code editor silently (its textarea is hidden and cannot show the bubble).
    use_required_attribute = False

    def __init__(
        self, exercise: Exercise, *args, initial_answer: str = "", choice_order: list[int] | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.exercise = exercise
        self.kind = exercise.answer_kind
        self.fields["answer"] = self.kind.answer_field(
            exercise.spec, initial_answer, choice_order, inline=inline_markdown
        )

    def clean_answer(self) -> str:
        answer = self.cleaned_data["answer"]
        if isinstance(answer, str):
            if len(answer.encode()) > settings.MAX_ANSWER_BYTES:
                raise forms.ValidationError(f"The answer is too long (at most {settings.MAX_ANSWER_BYTES // 1000} KB).")
            if not answer.strip():
                raise forms.ValidationError("The answer is empty.")
        # The kind's own checks (the checkers' caps): refused here, the answer costs no attempt.
        return self.kind.clean_answer(self.exercise.spec, answer)
