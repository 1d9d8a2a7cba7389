"""In a real Chromium: typing a symbolic answer updates the preview (rendered math and the
variables found, or an error with a caret) without submitting; then Submit shows the hint."""

import pytest

from exercises.models import Exercise, Module
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPEC = {
    "answer": {
        "expected": "exp(-x)/(1 + exp(-x))^2",
        "variables": ["x"],
        "mistakes": [{"answer": "1/(1 + exp(-x))^2", "hint": "Remember the chain rule's inner derivative."}],
    }
}


@pytest.fixture
def sigmoid_derivative(db):
    module = Module.objects.create(slug="act", title="Activations", order=1)
    exercise = Exercise.objects.create(
        module=module, slug="sigmoid-derivative", title="Sigmoid derivative", kind="symbolic"
    )
    exercise.add_version("Differentiate $\\sigma(x) = \\frac{1}{1 + e^{-x}}$.", SPEC)
    return exercise


def test_it_previews_as_the_learner_types_and_then_grades(page, live_server, learner, sigmoid_derivative):
    page.goto(f"{live_server.url}/accounts/login/?next=/exercises/sigmoid-derivative/")
    page.fill("input[name=username]", learner.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/exercises/sigmoid-derivative/")

    page.locator("#id_answer").press_sequentially("x2 +", delay=20)
    error = page.locator("#preview .preview-error")
    error.wait_for()
    assert "'x2' is not a name" in error.inner_text()
    assert page.locator("#preview .preview-caret").inner_text().endswith("^")
    assert page.locator("#result .submission").count() == 0  # nothing was submitted

    page.fill("#id_answer", "")
    page.locator("#id_answer").press_sequentially("1/(1+e^(-x))^2", delay=10)
    page.locator("#preview math").wait_for()
    assert "Variables: x" in page.locator("#preview .preview-variables").inner_text()

    page.click("button[type=submit]")
    hint = page.locator("#result .cases li.fail", has_text="chain rule")
    hint.wait_for()
    assert "inner derivative" in hint.inner_text()
