"""A new learner's whole journey in a real Chromium, on a desktop (1280 px) and on a phone
(390 px): sign-up, a lesson, a code, a symbolic, a numeric and a choice exercise, a quiz, the
progress page and a password reset. On every page: no sideways scrolling of the page, no
serious or critical axe-core violation (axe-core comes with axe-playwright-python, nothing is
downloaded), and every refusal says why where the learner is looking. Then the submit path
by keyboard alone. Screenshots of the key pages go to var/screenshots/<width>/."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from exercises.models import Exercise, Module, QuizAttempt, Submission
from tests.conftest import PASSWORD, SIGMOID_RIGHT, SIGMOID_WRONG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
AXE = Axe()
NEW_PASSWORD = "another-long-password"


@pytest.fixture
def choice_exercise(course):
    """A choice question in a problem set (the fixture course has choices in its quiz only)."""
    module = Module.objects.get(slug="linear-algebra")
    exercise = Exercise.objects.create(
        module=module, slug="singular-matrix", title="When is a matrix singular?", kind="choice", order=9
    )
    spec = {
        "choices": [
            {"text": "When $\\det(A) = 0$", "correct": True, "feedback": "Its columns are then linearly dependent."},
            {"text": "When $A$ is symmetric", "correct": False, "feedback": "Symmetry does not decide invertibility."},
        ],
        "multiple": False,
        "hints": [],
    }
    exercise.add_version("A square matrix $A$ has no inverse exactly when:", spec, live=True)
    return exercise


class Journey:
    """Checks every page the learner reaches, and keeps a screenshot of the key ones."""

    def __init__(self, page, base_url: str, width: int):
        self.page, self.base_url, self.width = page, base_url, width
        page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
        (SCREENSHOTS / str(width)).mkdir(parents=True, exist_ok=True)

    def go(self, path: str, name: str | None = None) -> None:
        self.page.goto(self.base_url + path)
        self.check(name)

    def check(self, name: str | None = None, show: str | None = None) -> None:
        page = self.page
        page.wait_for_load_state("load")
        page.evaluate("() => document.fonts.ready")
        page.wait_for_timeout(50)  # the page's own fitting of wide formulas runs on the next frame
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at {self.width} px"
        results = AXE.run(page).response
        serious = [
            f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}"
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not serious, f"{page.url} at {self.width} px: {serious}"
        if show:
            page.locator(show).first.scroll_into_view_if_needed()
        if name:
            page.screenshot(path=str(SCREENSHOTS / str(self.width) / f"{name}.png"))

    def refused(self, locator, text: str) -> None:
        """A refusal is visible, and says why."""
        locator.wait_for(state="visible")
        assert text in locator.inner_text(), locator.inner_text()


def type_code(page, code: str) -> None:
    page.wait_for_function("() => window.ace && document.querySelector('.ace_editor')")
    page.evaluate("code => ace.edit(document.querySelector('.ace_editor')).setValue(code, 1)", code)


@pytest.mark.parametrize("width", [1280, 390])
def test_it_walks_a_new_learners_journey_without_a_barrier(
    course, choice_exercise, live_server, page, mailoutbox, width
):
    journey = Journey(page, live_server.url, width)

    # Sign-up: a refusal first, then an account with an email address.
    journey.go("/accounts/signup/", "signup")
    page.fill("input[name=username]", "newbie")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("form.account button[type=submit]")
    journey.refused(page.locator(".field ul.errorlist").first, "This field is required")
    journey.check()
    page.fill("input[name=email]", "newbie@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("form.account button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    journey.check("home")

    # A lesson, with its formulas.
    journey.go("/modules/activations/", "lesson")
    assert page.locator("math[alttext]").count() == page.locator("math").count() > 0

    # Code: a refusal, a wrong answer with its feedback, a right one, and what comes next.
    journey.go("/exercises/sigmoid/")
    type_code(page, "   \n")
    page.click("form.answer button[type=submit]")
    journey.refused(page.locator("#form-errors .flash.error"), "The answer is empty.")
    type_code(page, SIGMOID_WRONG)
    page.click("form.answer button[type=submit]")
    page.locator("#result .verdict.wrong").wait_for()
    journey.check("code-feedback", show="#result .cases")
    type_code(page, SIGMOID_RIGHT)
    page.click("form.answer button[type=submit]")
    page.locator("#result .verdict.correct").wait_for()
    assert page.locator("p.next a", has_text="Next exercise").is_visible()
    journey.check()

    # Restore the wrong submission into the editor from the history (after a reload, which lists it).
    page.reload()
    page.locator(".history a.restore").last.click()
    page.locator("#restore-status", has_text="is in the form").wait_for()
    assert "1 / (1 + np.exp(z))" in page.evaluate("() => ace.edit(document.querySelector('.ace_editor')).getValue()")

    # Symbolic: LaTeX with braces, previewed as read; an unreadable answer is explained.
    journey.go("/exercises/sigmoid-derivative/")
    answer = page.locator("input[name=answer]")
    answer.press_sequentially("x +", delay=5)
    journey.refused(page.locator("#preview .preview-error"), "ends with '+'")
    answer.fill("")
    answer.press_sequentially("e^{-x}/(1+e^{-x})^{2}", delay=5)
    page.locator("#preview math").wait_for()
    assert "e^(-x)/(1 + e^(-x))^2" in page.locator("#preview .preview-reading").inner_text()
    journey.check("symbolic-preview", show="#preview")
    page.click("form.answer button[type=submit]")
    page.locator("#result .verdict.correct").wait_for()

    # Numeric: not a number, too large, then right.
    journey.go("/exercises/det-value/")
    number = page.locator("input[name=answer]")
    number.fill("five")
    page.click("form.answer button[type=submit]")
    journey.refused(page.locator("#result .verdict.wrong"), "is not a number")
    number.fill("6")
    page.click("form.answer button[type=submit]")
    journey.refused(page.locator("#result .verdict.wrong", has_text="Too large"), "Too large.")
    journey.check("numeric-feedback", show="#result")
    number.fill("5")
    page.click("form.answer button[type=submit]")
    page.locator("#result .verdict.correct").wait_for()

    # Choice: nothing picked is refused; the right choice is marked by its text.
    journey.go("/exercises/singular-matrix/")
    page.click("form.answer button[type=submit]")
    journey.refused(page.locator("#form-errors .flash.error"), "Pick one of the choices.")
    page.locator("fieldset.choices label", has_text="det").click()
    page.click("form.answer button[type=submit]")
    page.locator("#result .verdict.correct").wait_for()
    assert "linearly dependent" in page.locator("#result .cases").inner_text()
    journey.check("choice-feedback", show="#result")

    # The quiz: answered in place, without a reload; an unreadable answer is refused there.
    journey.go("/modules/activations/quiz/", "quiz")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/quiz/attempts/*/")
    journey.check("quiz-attempt")
    page.evaluate("() => { window.stillThisPage = true; }")
    attempt = QuizAttempt.objects.get(learner__username="newbie")
    numeric = Exercise.objects.get(slug="sigmoid-zero")
    question = page.locator(f"#q{numeric.pk}")
    question.locator("input[type=text]").fill("half")
    question.locator("button[type=submit]").click()
    journey.refused(page.locator(f"#q{numeric.pk} .errors .flash.error"), "is not a number")
    assert not attempt.submissions.exists()  # the question is still open
    page.locator(f"#q{numeric.pk} input[type=text]").fill("0.5")
    page.locator(f"#q{numeric.pk} button[type=submit]").click()
    page.locator(f"#q{numeric.pk} .saved").wait_for()
    assert "1 of 2 questions answered" in page.locator("#quiz-status").inner_text()
    choice = Exercise.objects.get(slug="relu-choice")
    page.locator(f"#q{choice.pk} fieldset.choices label").first.wait_for()
    page.locator(f"#q{choice.pk} button[type=submit]").click()
    journey.refused(page.locator(f"#q{choice.pk} .errors .flash.error"), "Pick one of the choices.")
    page.locator(f"#q{choice.pk} fieldset.choices label", has_text="0").first.click()
    page.locator(f"#q{choice.pk} button[type=submit]").click()
    page.locator("#quiz-status", has_text="Finished: score").wait_for()
    assert page.evaluate("() => window.stillThisPage === true")  # answered without reloading
    assert "ReLU clips negative inputs" in page.locator("#quiz-questions").inner_text()  # feedback once closed
    journey.check("quiz-finished", show="#quiz-questions")

    # Progress, with the quiz's best score.
    journey.go("/progress/", "progress")
    assert "100%" in page.locator(".progress-table").inner_text()

    # Password reset, from the login page, by the link in the email.
    page.click("header form button.link")  # log out
    journey.go("/accounts/login/", "login")
    page.click("text=Forgot your password?")
    journey.check("password-reset")
    page.fill("input[name=email]", "newbie@example.org")
    page.click("form.account button[type=submit]")
    page.locator("h1", has_text="Check your email").wait_for()
    journey.check()
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/accounts/reset/" in line)
    page.goto(link.strip())
    page.locator("h1", has_text="Choose a new password").wait_for()
    journey.check("password-new")
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD + "x")
    page.click("form.account button[type=submit]")
    journey.refused(page.locator(".field ul.errorlist").first, "didn’t match")
    journey.check()
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("form.account button[type=submit]")
    page.locator("h1", has_text="Your password is changed").wait_for()
    journey.check()
    page.click("main a.button")
    page.fill("input[name=username]", "newbie")
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("form.account button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert Submission.objects.filter(learner__username="newbie", correct=True).count() >= 5


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
        return {tag: e.tagName, cls: e.className, text: (e.textContent || '').trim().slice(0, 40), outline: s.outlineStyle, width: s.outlineWidth}; }"""
    )


def test_it_lets_a_keyboard_user_write_submit_and_leave_the_editor(course, learner, live_server, page):
    journey = Journey(page, live_server.url, 1280)
    journey.go("/accounts/login/?next=/exercises/sigmoid/")
    assert focused(page)["tag"] == "INPUT"  # the username field has the focus already
    page.keyboard.type(learner.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/exercises/sigmoid/")
    page.wait_for_function(
        "() => (document.querySelector('.django-ace-widget') || {dataset: {}}).dataset.keyboardReady"
    )
    journey.check()

    # The skip link comes first and shows itself; then Tab to the editor, every stop visible.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to the content" and page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert focused(page)["tag"] == "MAIN"
    for _ in range(30):
        page.keyboard.press("Tab")
        now = focused(page)
        if "ace_text-input" in now["cls"]:
            break
        assert now["outline"] != "none" and now["width"] != "0px", now
    else:
        pytest.fail("Tab never reached the code editor")

    # Type a whole answer, leave the editor with Esc then Tab, and submit with Enter.
    page.keyboard.press("Control+A")
    page.keyboard.type("import numpy as np\n")
    page.keyboard.type("def sigmoid(z): return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    now = focused(page)
    assert now["tag"] == "BUTTON" and now["text"] == "Submit" and now["outline"] != "none"
    page.keyboard.press("Enter")
    page.locator("#result .verdict.correct").wait_for()
    journey.check("code-solved-by-keyboard", show="#result")

    # Shift+Tab from the frame goes back out as well, and an empty answer is refused visibly.
    page.locator(".ace_text-input").focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Tab")
    assert "ace_text-input" not in focused(page)["cls"]
    page.locator("form.answer button[type=submit]").focus()
    page.keyboard.press("Enter")
    journey.refused(page.locator("#form-errors .flash.error"), "The answer is empty.")
    assert Submission.objects.filter(learner=learner).count() == 1
