"""An instructor's pages in a real Chromium (Debian's, as in tests/exercises): what changed
between two versions of an exercise and a roll-back, a cohort deadline typed in the browser's
own time zone, and the cohort dashboard sorted, filtered and opened by module, with the
exercises most learners have not solved arriving after the grid (htmx). Each page is checked
with axe-core for serious or critical violations."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from exercises.models import ExerciseProgress, Module, ModuleProgress
from teaching import exchange
from teaching.models import Deadline
from tests.conftest import PASSWORD, make_user

from .conftest import CODE_EXERCISE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def accessible(page) -> None:
    page.wait_for_load_state("load")
    violations = AXE.run(page).response["violations"]
    serious = [
        f"{v['id']}: {[node['target'] for node in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}: {serious}"


def edit(exercise, module, instructor, **changes):
    """A new version through the same path as the edit form (a draft: the exercise is published)."""
    return exchange.save(
        exchange.read_data("col-means.yaml", {**CODE_EXERCISE, **changes}),
        module,
        exercise,
        by=instructor,
        how="edited in the browser",
    )[1]


def test_it_shows_what_changed_between_two_versions_and_rolls_back(live_server, page, exercise, module, instructor):
    edit(exercise, module, instructor, statement="Return the average of each column of $X$.")
    edit(exercise, module, instructor, statement="Return the average of each column of $X$.", title="Column averages")
    log_in(page, live_server, instructor)

    # The history: each version with its author and how it came.
    page.goto(f"{live_server.url}/teach/exercises/{exercise.slug}/")
    history = page.locator("table", has=page.locator("th", has_text="Version"))
    assert "v1 (learners' version)" in history.inner_text() and "v3 (draft)" in history.inner_text()
    assert history.locator("tr", has_text="v3").locator("td").nth(2).inner_text() == "prof"
    assert "edited in the browser" in history.locator("tr", has_text="v3").inner_text()
    accessible(page)

    # Version 3 against the one before: only the title changed.
    history.locator("tr", has_text="v3").get_by_role("link", name="changes").click()
    page.wait_for_url("**/versions/3/")
    diff = page.locator("pre.diff")
    assert diff.locator(".remove").all_inner_texts() == ["-title: Column means"]
    assert diff.locator(".add").all_inner_texts() == ["+title: Column averages"]
    accessible(page)

    # Against any earlier version: version 1, where the statement changed too.
    page.select_option("select[name=against]", "1")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/versions/3/?against=1")
    added = " ".join(page.locator("pre.diff .add").all_inner_texts())
    assert "Column averages" in added and "Return the average of each column" in added
    assert "Return the mean of each column" in " ".join(page.locator("pre.diff .remove").all_inner_texts())

    # Roll back to version 1: a new draft with its content; learners keep version 1 meanwhile.
    page.get_by_role("button", name="Roll back to version 1").click()
    page.wait_for_url(f"**/teach/exercises/{exercise.slug}/")
    assert "Draft version 4 has the content of version 1" in page.locator(".flash").first.inner_text()
    assert "rolled back to version 1" in page.locator("tr", has_text="v4").inner_text()
    exercise.refresh_from_db()
    assert exercise.draft_version.number == 4 and exercise.current_version.number == 1
    assert exercise.draft_version.digest == exercise.current_version.digest
    page.locator("tr", has_text="v4").get_by_role("link", name="changes").click()
    page.select_option("select[name=against]", "1")
    page.get_by_role("button", name="Compare").click()
    assert page.get_by_text("The two versions are the same.").is_visible()


@pytest.fixture
def tokyo_page(page):
    """The page, in a browser whose clock is in Tokyo (UTC+9, no summer time)."""
    context = page.context.browser.new_context(timezone_id="Asia/Tokyo")
    tokyo = context.new_page()
    tokyo.set_default_timeout(15_000)
    yield tokyo
    context.close()


def test_it_sets_a_cohort_deadline_in_the_instructors_time_zone(
    live_server, tokyo_page, exercise, cohort, instructor, learner
):
    page = tokyo_page
    log_in(page, live_server, instructor)  # the first page tells the server the browser's zone
    page.goto(f"{live_server.url}/teach/cohorts/{cohort.pk}/settings/")
    assert "Times are in your time zone (JST)" in page.locator("main").inner_text()
    assert page.get_by_text("No deadline set.").is_visible()
    form = page.locator("form.deadline-form")
    form.get_by_label("Module").select_option(label="Basics")
    form.get_by_label("Due").fill("2027-01-15T18:00")
    form.get_by_label("Late work is").select_option("refuse")
    accessible(page)
    form.get_by_role("button", name="Set the deadline").click()
    page.locator(".flash", has_text="Deadline saved").wait_for()
    row = page.locator("tr", has_text="Basics")
    assert "2027-01-15 18:00 JST" in row.inner_text() and "not accepted" in row.inner_text()
    deadline = Deadline.objects.get(cohort=cohort)
    assert deadline.due_at == datetime(2027, 1, 15, 9, 0, tzinfo=UTC) and deadline.late_policy == "refuse"

    # The learner sees it on the module's page, in their own zone (this browser's too).
    page.click("header form button.link")  # log out
    log_in(page, live_server, learner)
    page.goto(f"{live_server.url}/modules/{exercise.module.slug}/")
    assert "2027-01-15 18:00 JST" in page.locator("p.deadline").first.inner_text()


@pytest.fixture
def class_of_four(exercise, module, cohort, learner, instructor):
    """ada solved col-means; bea is stuck on it (4 attempts, best 25%); cy half-solved a second
    exercise; dan has not started. A second module keeps the grid grouped."""
    second, _, _ = exchange.save(
        exchange.read_data("b.yaml", {**CODE_EXERCISE, "slug": "row-means", "title": "Row means"}), module, by=None
    )
    second.publish(second.current_version, by=instructor, override_reason="a fixture exercise")
    other = Module.objects.create(slug="calculus", title="Calculus", order=2)
    third, _, _ = exchange.save(
        exchange.read_data("c.yaml", {**CODE_EXERCISE, "slug": "slopes", "title": "Slopes"}), other, by=None
    )
    third.publish(third.current_version, by=instructor, override_reason="a fixture exercise")
    bea, cy, dan = (make_user(name) for name in ("bea", "cy", "dan"))
    for user in (bea, cy, dan):
        cohort.enroll(user)
    at = timezone.now() - timedelta(days=1)
    for who, which, attempts, best in (
        (learner, exercise, 2, 1.0),
        (bea, exercise, 4, 0.25),
        (cy, second, 1, 0.5),
        (cy, third, 1, 1.0),
    ):
        ExerciseProgress.objects.create(
            learner=who, exercise=which, attempts=attempts, best_score=best, first_submitted_at=at,
            last_submitted_at=at, solved_at=at if best == 1.0 else None,
        )  # fmt: skip
    for each in (module, other):
        ModuleProgress.rebuild(each.pk)


def learners(page) -> list[str]:
    return [name.strip() for name in page.locator("table.grid tbody th.learner").all_inner_texts()]


def columns(page) -> list[str]:
    return [label.strip() for label in page.locator("table.grid thead th.col").all_inner_texts()]


def test_it_sorts_filters_and_opens_the_cohort_dashboard(live_server, page, cohort, instructor, class_of_four):
    log_in(page, live_server, instructor)
    page.goto(f"{live_server.url}/teach/cohorts/{cohort.pk}/")
    assert learners(page) == ["ada", "bea", "cy", "dan"]
    assert columns(page) == ["Basics", "Calculus"]  # one column per module
    # What needs attention: bea is stuck, and the count of unsolved exercises arrives by itself.
    assert "bea: 1 exercise with 3+ attempts, unsolved" in page.locator(".attention").inner_text()
    page.locator("ul.hardest", has_text="Column means").wait_for()
    assert "Column means: 1 of 2 who tried have not solved it" in page.locator("ul.hardest").inner_text()
    accessible(page)

    # Sort by score (best first), then the same header again for the other way.
    page.locator("table.grid thead").get_by_role("link", name="Score").click()
    page.wait_for_url("**sort=score**")
    assert learners(page) == ["cy", "ada", "bea", "dan"]  # 1.5, 1, 0.25, 0 of 3 exercises
    page.locator("table.grid thead").get_by_role("link", name="Score").click()
    page.wait_for_url("**order=asc**")
    assert learners(page) == ["dan", "bea", "ada", "cy"]

    # Filter: who is stuck, then who has not started.
    page.select_option("#id_status", "struggling")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**status=struggling**")
    assert learners(page) == ["bea"] and "1 of 4 learners" in page.locator("main").inner_text()
    page.select_option("#id_status", "not-started")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**status=not-started**")
    assert learners(page) == ["dan"]
    page.select_option("#id_status", "all")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**status=all**")

    # Open a module: its exercises become columns; sort by one of them.
    page.locator("table").first.get_by_role("link", name="Basics").click()
    page.wait_for_url("**module=basics**")
    assert columns(page) == ["col-means", "row-means", "Calculus"]
    page.locator("table.grid thead").get_by_role("link", name="col-means").click()
    page.wait_for_url("**sort=exercise%3Acol-means**")
    assert learners(page) == ["ada", "bea", "cy", "dan"]  # 100%, 25%, then who has not started it
    assert page.locator("table.grid thead th.sorted").inner_text().strip() == "col-means"

    # A cell's exact score: its accessible name, its tooltip, and shown on keyboard focus.
    cell = page.locator("table.grid tbody tr", has_text="bea").locator("td.c a").first
    assert cell.get_attribute("title") == "bea, col-means: best score 25%, 4 attempts, not solved yet"
    page.keyboard.press("Tab")
    cell.focus()
    shown = cell.evaluate("a => getComputedStyle(a, '::after').content")
    assert "best score 25%" in shown
    accessible(page)
    cell.click()
    page.wait_for_url(re.compile(r"/learners/\d+/\?exercise=col-means$"))
