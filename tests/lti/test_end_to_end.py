"""The tool against a simulated LMS over HTTP: an instructor places an exercise by Deep
Linking, a learner opens it from the LMS, submits a wrong then a right answer in the tool,
and both scores arrive at the LMS's line item, through an LMS outage in between."""

import re

import requests

from lti.models import CourseLink, Outcome
from lti.tasks import passback_now
from tests.conftest import SIGMOID_RIGHT, SIGMOID_WRONG


def csrf_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def submit_on_page(browser: requests.Session, page: requests.Response, answer: str) -> requests.Response:
    response = browser.post(
        page.url, data={"answer": answer, "csrfmiddlewaretoken": csrf_of(page.text)}, headers={"Referer": page.url}
    )
    assert response.status_code == 200, response.text[:500]
    return response


def test_it_places_an_exercise_and_sends_the_learners_scores_back(platform, course, live_server):
    teacher, student = requests.Session(), requests.Session()

    # The instructor adds an exercise to the LMS course through Deep Linking.
    picker = platform.deep_link_request(teacher, "teacher")
    assert picker.status_code == 200 and "exercise:sigmoid" in picker.text, picker.text[:500]
    launch = re.search(r'name="launch" value="([^"]+)"', picker.text).group(1)
    content_items = teacher.post(
        f"{live_server.url}/lti/deep-link/", data={"launch": launch, "target": "exercise:sigmoid"}
    )
    assert content_items.status_code == 200, content_items.text[:500]
    placed = platform.submit_form(teacher, content_items.text)
    assert placed.status_code == 200, placed.text
    [link] = platform.links.values()
    assert link.title == "Sigmoid" and link.custom == {"mlcourse_target": "exercise:sigmoid"} and link.lineitem

    # The instructor opens it: an instructor here, teaching the LMS course's cohort, whose roster is read.
    opened = platform.open_link(teacher, "teacher", link)
    assert opened.url == f"{live_server.url}/exercises/sigmoid/"
    course_link = CourseLink.objects.get()
    assert course_link.cohort.instructors.get().email == "grace@lms.test"
    assert course_link.cohort.instructors.get().groups.filter(name="instructors").exists()
    assert sorted(course_link.cohort.learners.values_list("email", flat=True)) == ["ada@lms.test", "carol@lms.test"]
    assert "2 learner(s)" in course_link.roster_message

    # The learner opens it from the LMS, logged in to their own new account, and submits.
    page = platform.open_link(student, "student", link)
    assert page.url == f"{live_server.url}/exercises/sigmoid/" and "Log out" in page.text
    submit_on_page(student, page, SIGMOID_WRONG)
    passback_now()
    [first] = platform.scores_for("u-student")
    assert 0 < first["scoreGiven"] < 100 and first["scoreMaximum"] == 100
    assert first["activityProgress"] == "Submitted" and first["gradingProgress"] == "FullyGraded"

    # The LMS is down when the right answer is graded: the score waits and is sent when due.
    platform.fail_score_posts = 1
    submit_on_page(student, page, SIGMOID_RIGHT)
    passback_now()
    assert platform.failed_score_posts == 1 and len(platform.scores_for("u-student")) == 1
    outcome = Outcome.objects.get()
    assert (
        outcome.state == Outcome.State.PENDING
        and "503" in outcome.last_error
        and outcome.next_attempt_at > outcome.scored_at
    )
    passback_now()  # not due yet: nothing is sent
    assert len(platform.scores_for("u-student")) == 1
    Outcome.objects.filter(pk=outcome.pk).update(next_attempt_at=outcome.scored_at)  # the backoff has passed
    passback_now()
    last = platform.scores_for("u-student")[-1]
    assert last["scoreGiven"] == 100 and last["activityProgress"] == "Completed"
    outcome.refresh_from_db()
    assert outcome.state == Outcome.State.SENT and outcome.sent_score == 1.0 and outcome.last_error == ""
    assert platform.scores_for("u-teacher") == []
