"""In a real Chromium, under the site's Content-Security-Policy (no inline script, no eval):
the Ace editor, htmx's submit, polling and live preview, and the authoring form's kind switch
all still work, and the browser reports no violation of the policy."""

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page):
    """Every CSP violation Chromium reports on the console while the test runs."""
    seen = []
    page.on("console", lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None)
    return seen


def log_in(page, live_server, user, then: str):
    page.goto(f"{live_server.url}/accounts/login/?next={then}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{then}")


def test_the_learners_pages_work_under_the_policy(course, learner, live_server, page, violations):
    response = page.goto(f"{live_server.url}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    log_in(page, live_server, learner, "/exercises/sigmoid/")

    # Ace: loaded, highlighting, and taking keystrokes.
    page.wait_for_selector(".ace_editor .ace_keyword")
    page.locator(".ace_editor .ace_content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# typed")
    assert "# typed" in page.evaluate("() => ace.edit(document.querySelector('.ace_editor')).getValue()")

    # htmx: the submit swaps in the graded result without leaving the page.
    page.evaluate(
        "() => ace.edit(document.querySelector('.ace_editor')).setValue('def sigmoid(z):\\n    return z\\n', 1)"
    )
    page.click("form.answer button[type=submit]")
    page.wait_for_selector("#result .verdict.wrong")
    assert page.url.endswith("/exercises/sigmoid/")

    # htmx: the symbolic preview updates as the learner types.
    page.goto(f"{live_server.url}/exercises/sigmoid-derivative/")
    page.locator("#id_answer").press_sequentially("2*x", delay=10)
    page.locator("#preview math").wait_for()
    assert violations == []


def test_the_authoring_form_works_under_the_policy(course, instructor, live_server, page, violations):
    log_in(page, live_server, instructor, "/teach/exercises/new/")
    numeric, code = page.locator("fieldset[data-kind=numeric]"), page.locator("fieldset[data-kind=code]")
    assert code.is_visible() and not numeric.is_visible()  # the static script ran on load
    page.select_option("#id_kind", "numeric")
    assert numeric.is_visible() and not code.is_visible()
    page.fill("#id_statement", "Compute $x^2$.")
    page.locator("#preview math").wait_for()  # htmx preview of the statement
    assert violations == []
