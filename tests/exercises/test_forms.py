"""The answer form takes only what its checker can read, and sign-up refuses usernames that
would pass for someone else's."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from exercises.forms import AnswerForm, SignupForm
from exercises.models import Exercise, Submission
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def answer_form(slug: str, answer: str) -> AnswerForm:
    return AnswerForm(Exercise.objects.get(slug=slug), {"answer": answer})


def test_it_refuses_a_symbolic_answer_longer_than_its_checker_reads(course, learner_client):
    # The form used to take 64 KB while the checker reads 2,000 characters: an attempt lost.
    assert answer_form("sigmoid-derivative", "x+" * 1000 + "x").errors["answer"] == [
        "The answer is 2,001 characters long; at most 2,000 are allowed."
    ]
    assert answer_form("sigmoid-derivative", "x+" * 999 + "x").is_valid()
    response = learner_client.post(
        reverse("exercise", args=["sigmoid-derivative"]), {"answer": "x+" * 1000 + "x"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422 and "at most 2,000" in response.content.decode()
    assert not Submission.objects.exists()


def test_it_refuses_numeric_answers_too_long_or_too_deep_for_the_checker(course):
    assert "nest too deeply" in answer_form("sigmoid-zero", "[" * 900 + "1" + "]" * 900).errors["answer"][0]
    assert "too long" in answer_form("sigmoid-zero", "1" * 10_001).errors["answer"][0]
    assert answer_form("sigmoid-zero", "[[0.5]]").is_valid()


@pytest.mark.parametrize("slug", ["sigmoid", "sigmoid-derivative", "sigmoid-zero"])
def test_it_refuses_nul_characters_in_any_typed_answer(course, slug):
    assert not answer_form(slug, "0.5\x00").is_valid()


def signup(username: str) -> SignupForm:
    return SignupForm({"username": username, "password1": PASSWORD, "password2": PASSWORD})


def test_it_refuses_a_username_that_mixes_look_alike_alphabets(learner):
    form = signup("lеarner")  # a Cyrillic е among Latin letters
    assert "mixes alphabets" in form.errors["username"][0]
    assert signup("learner").is_valid()
    assert signup("Ирина").is_valid()  # one alphabet is fine


def test_it_normalises_usernames_before_comparing_them(learner):
    # Full-width letters become ASCII (NFKC), and a name differing only in case is taken.
    assert signup("ａｄａ").errors["username"] == ["A user with that username already exists."]
    assert signup("ADA").errors["username"] == ["A user with that username already exists."]
    form = signup("ｂｅａ")
    assert form.is_valid() and form.save().username == "bea"
    assert User.objects.filter(username="bea").exists()
