"""A real Chromium drives the learner's path: the Ace editor, Submit, the live status that
htmx polls, and the per-case feedback. Needs Debian's chromium (`make test` installs it)."""

import threading
import time

import pytest
from django.db import connections

from exercises.models import Submission
from exercises.tasks import grade_submission_now
from mlcourse.celery import app as celery_app
from tests.conftest import PASSWORD, SIGMOID_RIGHT, SIGMOID_WRONG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def type_answer(page, code):
    page.wait_for_function("() => window.ace && document.querySelector('.ace_editor')")
    page.evaluate("code => ace.edit(document.querySelector('.ace_editor')).setValue(code, 1)", code)


@pytest.fixture
def graded_by_a_worker_thread():
    """Queue for real instead of grading inside the request, and grade from another thread a
    moment later, the way a worker would: the page must show the pending state and poll."""
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    stop = threading.Event()

    def worker():
        try:
            while not stop.is_set():
                for pk in Submission.objects.filter(status="queued").values_list("pk", flat=True):
                    time.sleep(0.5)
                    grade_submission_now(pk)
                time.sleep(0.1)
        finally:
            connections.close_all()  # the test database cannot be dropped while this thread holds it

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=10)


def test_it_grades_a_correct_and_a_wrong_sigmoid_with_live_status(
    course, learner, live_server, page, graded_by_a_worker_thread
):
    log_in(page, live_server, learner.username)
    page.goto(f"{live_server.url}/exercises/sigmoid/")
    assert page.locator("math").count() >= 1  # the statement's formula is MathML

    type_answer(page, SIGMOID_WRONG)
    page.click("form.answer button[type=submit]")
    page.wait_for_selector("#result .pending")
    page.wait_for_selector("#result .verdict.wrong")
    result = page.inner_text("#result")
    assert "1 of 3 cases passed" in result and "entries differ" in result and "Expected" in result

    type_answer(page, SIGMOID_RIGHT)
    page.click("form.answer button[type=submit]")
    page.wait_for_selector("#result .verdict.correct")
    assert Submission.objects.filter(learner=learner, correct=True).count() == 1


def test_it_shows_every_refusal_next_to_the_submit_button(course, learner, live_server, page):
    log_in(page, live_server, learner.username)
    page.goto(f"{live_server.url}/exercises/sigmoid/")

    type_answer(page, "   \n")
    page.click("form.answer button[type=submit]")
    page.wait_for_selector("#form-errors .flash.error")
    assert "The answer is empty." in page.inner_text("#form-errors")
    assert not Submission.objects.exists()

    # The button is disabled while the request is in flight, so a double click sends one answer.
    type_answer(page, SIGMOID_RIGHT)
    disabled = page.evaluate(
        "() => { const b = document.querySelector('form.answer button[type=submit]'); b.click(); return b.disabled; }"
    )
    assert disabled
    page.wait_for_selector("#result .verdict.correct")
    assert page.inner_text("#form-errors").strip() == ""  # the earlier refusal is cleared

    # A server error is shown too, instead of nothing.
    page.route(
        "**/exercises/sigmoid/",
        lambda route: route.fulfill(status=500, body="boom") if route.request.method == "POST" else route.continue_(),
    )
    page.click("form.answer button[type=submit]")
    page.wait_for_selector("#form-errors .flash.error")
    assert "error 500" in page.inner_text("#form-errors")


def test_it_draws_a_failed_cases_plot_by_itself_and_a_passed_ones_on_request(course, learner, live_server, page):
    log_in(page, live_server, learner.username)
    page.goto(f"{live_server.url}/exercises/sigmoid/")
    type_answer(page, SIGMOID_WRONG)
    page.click("form.answer button[type=submit]")
    page.wait_for_selector("#result .verdict.wrong")
    failed = page.locator("#result li.fail figure.plot svg[role=img]")
    failed.wait_for()
    assert "6 of 7 values differ" in page.inner_text("#result li.fail figure.plot figcaption")
    box = failed.bounding_box()
    assert box["width"] > 200 and box["height"] > 100  # drawn at a readable size
    assert page.locator("#result li.pass figure.plot").count() == 0  # a passed case waits to be asked
    page.click("#result li.pass details.plot-toggle summary")
    page.locator("#result li.pass figure.plot svg[role=img]").wait_for()
    assert "Your value agrees with the expected one" in page.inner_text("#result li.pass figure.plot figcaption")
