"""Every form and endpoint, fed hostile values as each persona (visitor, learner, instructor):
whatever arrives, the answer is never a 5xx. The test client re-raises a view's exception, so
a crash fails here with its traceback; a 5xx response fails on the status.

Each endpoint first gets the values that once gave 500s (KNOWN_BAD) in every field, then
Hypothesis draws a bounded number of requests (FUZZ_EXAMPLES, 6 by default) so
that the suite stays fast; set it higher for a deeper local run. Grading is not run: submissions
stay queued (the grader's own tests cover hostile answers), and are marked graded between
requests so that the pending limit does not hide the submit path.
"""

import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.models import AccessToken
from exercises.models import Exercise, Module, QuizAttempt, Submission
from teaching import exchange
from teaching.models import Cohort, Regrade, ValidationRun
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# Sent to every field of every endpoint before the random ones: each gave a 500 once.
KNOWN_BAD = ["²", "\x00", "99999999999999999999", "[" * 1000, "1e999", "a: &a [1]\nb: *a"]

HOSTILE_CONSTANTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "%00",
    "²",
    "١٢٣",  # Arabic-Indic digits: isdigit() is true, the database's integers are not
    "-1",
    "0",
    "99999999999999999999",
    "9" * 5000,  # past Python's int-to-str limit
    "1e999",
    "-1e999",
    "NaN",
    "inf",
    "[1, 2",
    "{}",
    "null",
    "true",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% debug %}",
    "../../../etc/passwd",
    "a: &a [1]\nb: *a",
    "!!python/object/apply:os.system ['true']",
    "lеarner",  # a Cyrillic е
    "\u202eevil",
    "x" * 70_000,
    "__import__('os').system('true')",
    "\\frac{1}{",
    "exp(exp(exp(exp(x))))^999999",
]
NESTED = st.builds(
    lambda opener, depth: opener * depth,
    st.sampled_from(["[", "{", "(", "- ", "a: ", "{a: ", "\\frac{", "x^", "sqrt("]),
    st.integers(min_value=1, max_value=3000),
)
HOSTILE = st.one_of(st.sampled_from(HOSTILE_CONSTANTS), NESTED, st.text(max_size=40), st.integers().map(str))


@dataclass
class Endpoint:
    """One URL and method; `fields` maps each parameter to a value that works, which the fuzz
    replaces with hostile ones (query parameters for GET, form fields for POST)."""

    method: str
    path: str
    fields: dict = field(default_factory=dict)
    htmx: bool = False
    files: bool = False
    api: bool = False  # sent with the persona's API token
    json: bool = False  # the body is JSON, as API clients send it


def endpoints(w) -> list[Endpoint]:
    sigmoid, numeric, choice = (Exercise.objects.get(slug=slug) for slug in ("sigmoid", "sigmoid-zero", "relu-choice"))
    exercise_form = {
        **exchange.file_data(sigmoid),
        "module": w.module.pk,
        "slug": "fuzzed",
        "in_quiz": "",
        "hints": "A hint.",
        "compare_method": "allclose",
        "rtol": "1e-6",
        "atol": "0",
        "compare_yaml": "",
        "mutants-TOTAL_FORMS": "1",
        "mutants-INITIAL_FORMS": "0",
        "mutants-0-name": "wrong",
        "mutants-0-code": "def sigmoid(z):\n    return z\n",
        "cpu_seconds": "2",
        "memory_mb": "256",
        "expected": "2*x",
        "variables": "x",
        "mistakes-TOTAL_FORMS": "1",
        "mistakes-INITIAL_FORMS": "0",
        "mistakes-0-answer": "x",
        "mistakes-0-hint": "Twice.",
        "params-TOTAL_FORMS": "0",
        "params-INITIAL_FORMS": "0",
        "numeric_value": "[0.5, 2]",
        "sig_figs": "3",
        "multiple": "",
        "choices-TOTAL_FORMS": "2",
        "choices-INITIAL_FORMS": "0",
        "choices-0-text": "a",
        "choices-0-correct": "on",
        "choices-1-text": "b",
    }
    exercise_form = {name: value for name, value in exercise_form.items() if isinstance(value, str | int)}
    exercise_form["topics"] = "act.sigmoid"
    c, pk = w.cohort.pk, w.attempt.pk
    return [
        Endpoint("GET", "/"),
        Endpoint("GET", "/healthz"),
        Endpoint("GET", "/modules/activations/"),
        Endpoint("GET", "/modules/activations/quiz/"),
        Endpoint("POST", "/modules/activations/quiz/"),
        Endpoint("GET", f"/quiz/attempts/{pk}/"),
        Endpoint("POST", f"/quiz/attempts/{pk}/sigmoid-zero/", {f"q{numeric.pk}-answer": "0.5"}),
        Endpoint("POST", f"/quiz/attempts/{pk}/relu-choice/", {f"q{choice.pk}-answer": "0"}),
        Endpoint("GET", "/exercises/sigmoid/", {"submission": str(w.submission.pk)}),
        Endpoint("GET", "/exercises/sigmoid/", {"restore": str(w.submission.pk)}),
        Endpoint("GET", f"/quiz/attempts/{pk}/", {"part": "status"}, htmx=True),
        Endpoint("POST", f"/quiz/attempts/{pk}/sigmoid-zero/", {f"q{numeric.pk}-answer": "0.5"}, htmx=True),
        *(
            Endpoint("POST", f"/exercises/{slug}/", {"answer": "x"}, htmx=htmx)
            for slug in ("sigmoid", "sigmoid-derivative", "sigmoid-zero", "dot")
            for htmx in (False, True)
        ),
        Endpoint("POST", "/exercises/sigmoid-derivative/preview/", {"answer": "2*x"}, htmx=True),
        Endpoint("GET", f"/submissions/{w.submission.pk}/"),
        Endpoint("GET", f"/submissions/{w.submission.pk}/answer.txt"),
        Endpoint("GET", f"/submissions/{w.submission.pk}/cases/1/plot/", htmx=True),
        Endpoint("GET", "/accounts/login/", {"next": "/"}),
        Endpoint("POST", "/accounts/login/", {"username": "ada", "password": "wrong", "next": "/"}),
        Endpoint(
            "POST",
            "/accounts/signup/",
            {"username": "newcomer", "email": "newcomer@example.org", "password1": PASSWORD, "password2": PASSWORD},
        ),
        Endpoint(
            "POST", "/accounts/password_change/", {"old_password": PASSWORD, "new_password1": "x", "new_password2": "y"}
        ),
        Endpoint("POST", "/accounts/password_reset/", {"email": "someone@example.org"}),
        Endpoint("GET", "/teach/"),
        Endpoint("POST", "/teach/cohorts/new/", {"name": "Fuzzed"}),
        Endpoint(
            "GET",
            f"/teach/cohorts/{c}/",
            {
                "days": "7",
                "status": "struggling",
                "sort": "exercise:sigmoid",
                "order": "desc",
                "module": "activations",
                "page": "2",
            },
        ),
        Endpoint("POST", f"/teach/cohorts/{c}/invite/"),
        Endpoint("GET", f"/teach/cohorts/{c}/completion/", htmx=True),
        Endpoint("GET", f"/teach/cohorts/{c}/hardest/", htmx=True),
        Endpoint("GET", f"/teach/cohorts/{c}/grid.csv"),
        Endpoint("GET", f"/teach/cohorts/{c}/scores.csv"),
        Endpoint("GET", f"/teach/cohorts/{c}/exercises/sigmoid/"),
        Endpoint("POST", f"/teach/cohorts/{c}/exercises/sigmoid/regrade/"),
        Endpoint("GET", f"/teach/cohorts/{c}/learners/{w.learner.pk}/", {"page": "1"}),
        Endpoint("GET", f"/teach/regrades/{w.regrade.pk}/"),
        Endpoint("GET", "/teach/exercises/new/", {"kind": "code", "module": str(w.module.pk)}),
        Endpoint("POST", "/teach/exercises/new/", exercise_form),
        Endpoint("POST", "/teach/exercises/sigmoid/edit/", {**exercise_form, "slug": "sigmoid"}),
        Endpoint("POST", "/teach/exercises/import/", {"module": str(w.module.pk), "files": None}, files=True),
        Endpoint("POST", "/teach/preview/", {"statement": "$x^2$"}, htmx=True),
        Endpoint(
            "POST", "/teach/preview/expression/", {"field": "expected", "expected": "2*x", "variables": "x"}, htmx=True
        ),
        Endpoint("GET", "/teach/exercises/sigmoid/"),
        Endpoint("POST", "/teach/exercises/sigmoid/validate/"),
        Endpoint("POST", "/teach/exercises/sigmoid/publish/"),
        Endpoint("POST", "/teach/exercises/sigmoid/unpublish/"),
        Endpoint("GET", "/teach/exercises/sigmoid/export.yaml"),
        Endpoint("GET", "/teach/modules/activations/export.zip"),
        Endpoint("GET", f"/teach/validations/{w.validation.pk}/"),
        Endpoint("GET", f"/join/{w.cohort.invite_code}/"),
        Endpoint("POST", f"/join/{w.cohort.invite_code}/"),
        Endpoint("GET", "/progress/"),
        Endpoint("POST", "/progress/join/", {"code": w.cohort.invite_code}),
        Endpoint("POST", f"/quiz/attempts/{pk}/finish/", {"confirm": "1"}),
        Endpoint("GET", f"/teach/cohorts/{c}/gradebook.csv"),
        Endpoint("GET", f"/teach/cohorts/{c}/settings/"),
        *(
            Endpoint("POST", f"/teach/cohorts/{c}/settings/", {"action": action, **fields})
            for action, fields in (
                ("rename", {"name": "Autumn"}),
                ("add-instructor", {"username": "prof"}),
                ("remove-instructor", {"user": str(w.instructor.pk)}),
                (
                    "deadline",
                    {"module": str(w.module.pk), "quiz": "on", "due_at": "2030-01-01T12:00", "late_policy": "closed"},
                ),
                ("remove-deadline", {"deadline": "1"}),
            )
        ),
        Endpoint("GET", "/teach/exercises/sigmoid/audit.csv"),
        Endpoint("POST", "/teach/exercises/sigmoid/coauthors/", {"username": "prof"}),
        Endpoint("POST", "/teach/exercises/sigmoid/coauthors/", {"remove": str(w.instructor.pk)}),
        Endpoint("POST", "/teach/exercises/sigmoid/copy/"),
        Endpoint("GET", "/teach/exercises/sigmoid/versions/1/", {"against": "1"}),
        Endpoint("POST", "/teach/exercises/sigmoid/versions/1/rollback/"),
        Endpoint("GET", "/profile/"),
        Endpoint("POST", "/profile/tokens/", {"name": "laptop"}),
        Endpoint("POST", f"/profile/tokens/{w.token.pk}/revoke/"),
        # The REST API, with the persona's own token (anonymous has none).
        Endpoint("GET", "/api/"),
        Endpoint("GET", "/api/docs"),
        Endpoint("GET", "/api/openapi.json"),
        Endpoint("GET", "/api/no-such-thing"),
        Endpoint("GET", "/api/me", api=True),
        Endpoint("GET", "/api/modules", api=True),
        Endpoint("GET", "/api/modules/activations", api=True),
        Endpoint("GET", "/api/exercises", {"module": "activations"}, api=True),
        Endpoint("GET", "/api/exercises/sigmoid", api=True),
        Endpoint("POST", "/api/exercises/sigmoid/submissions", {"answer": "x"}, api=True, json=True),
        Endpoint("GET", "/api/exercises/sigmoid/submissions", api=True),
        Endpoint("GET", f"/api/submissions/{w.submission.pk}", {"wait": "0"}, api=True),
        Endpoint("GET", "/api/progress", api=True),
        Endpoint("GET", "/api/cohorts", api=True),
        Endpoint("GET", f"/api/cohorts/{c}", api=True),
        Endpoint("GET", f"/api/cohorts/{c}/exercises/sigmoid", api=True),
        # LTI: what an LMS (or anyone pretending to be one) sends, with no registration behind it.
        Endpoint("GET", "/lti/jwks.json"),
        Endpoint("GET", "/lti/config/canvas.json"),
        Endpoint(
            "GET", "/lti/init/", {"iss": "https://lms.example", "login_hint": "1", "target_link_uri": "https://x/"}
        ),
        Endpoint("POST", "/lti/init/", {"iss": "https://lms.example", "login_hint": "1", "client_id": "c"}),
        Endpoint("GET", "/lti/init/4f0c2a4e-55a4-4b5e-9a1e-0d8f1d2c3b4a/", {"login_hint": "1"}),
        Endpoint("POST", "/lti/launch/", {"id_token": "e30.e30.", "state": "state-1"}),
        Endpoint("POST", "/lti/deep-link/", {"launch": "x", "target": "exercise:sigmoid"}),
        Endpoint("GET", "/lti/courses/1/"),
        Endpoint("POST", "/lti/courses/1/roster/"),
    ]


# Paths whose segments come from the URL itself: each converter gets hostile text too.
PATH_TEMPLATES = [
    "/modules/{}/",
    "/modules/{}/quiz/",
    "/exercises/{}/",
    "/exercises/{}/preview/",
    "/submissions/{}/",
    "/submissions/1/cases/{}/plot/",
    "/quiz/attempts/{}/",
    "/quiz/attempts/1/{}/",
    "/teach/cohorts/{}/",
    "/teach/cohorts/1/exercises/{}/",
    "/teach/cohorts/1/learners/{}/",
    "/teach/exercises/{}/edit/",
    "/teach/modules/{}/export.zip",
    "/teach/validations/{}/",
    "/join/{}/",
]


@dataclass
class World:
    module: Module
    learner: object
    instructor: object
    cohort: Cohort
    attempt: QuizAttempt
    submission: Submission
    validation: ValidationRun
    regrade: Regrade
    token: AccessToken
    secrets: dict


@pytest.fixture
def world(course, settings) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # many logins
    learner, instructor = make_user("ada"), make_user("prof", instructor=True)
    module = Module.objects.get(slug="activations")
    cohort = Cohort.objects.create(name="Spring")
    cohort.instructors.add(instructor)
    cohort.enroll(learner)
    sigmoid = Exercise.objects.get(slug="sigmoid")
    return World(
        module=module,
        learner=learner,
        instructor=instructor,
        cohort=cohort,
        attempt=QuizAttempt.start(learner, module),
        submission=Submission.submit(learner, sigmoid, "def sigmoid(z):\n    return z\n"),
        validation=ValidationRun.start(sigmoid.current_version, instructor),
        regrade=Regrade.start(cohort, sigmoid, instructor),
        token=AccessToken.issue(learner, "fuzzed")[0],
        secrets={
            "learner": AccessToken.issue(learner, "api")[1],
            "instructor": AccessToken.issue(instructor, "api")[1],
        },
    )


def persona_client(world: World, persona: str) -> Client:
    client = Client()
    client.api_secret = world.secrets.get(persona)
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    return client


def hostile_upload(draw) -> SimpleUploadedFile:
    name = draw(st.sampled_from(["a.yaml", "a.zip", "../../x.yaml", "a\x00.yaml", "", ".yaml", "x" * 300 + ".yaml"]))
    text = draw(st.one_of(HOSTILE, st.just(exchange.dump_yaml({"slug": "up", "kind": "code"}))))
    content = text.encode("utf-8", "surrogatepass")
    if name.endswith(".zip") and draw(st.booleans()):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(
                draw(st.sampled_from(["m/a.yaml", "m/module.yaml", "../evil.yaml", "m/\x00.yaml"])), content
            )
        content = buffer.getvalue()
    return SimpleUploadedFile(name or "unnamed", content)


def request_data(draw, endpoint: Endpoint) -> dict:
    data = {}
    for name, good in endpoint.fields.items():
        if endpoint.files and name == "files":
            data[name] = [hostile_upload(draw) for _ in range(draw(st.integers(0, 2)))]
            continue
        value = draw(st.one_of(st.just(good), HOSTILE, st.lists(HOSTILE, min_size=2, max_size=3)))
        if value is not None:
            data[name] = value
    if draw(st.booleans()):
        data[draw(st.sampled_from(["answer", "username", "kind", "unexpected"]))] = draw(HOSTILE)
    return data


def send(client: Client, endpoint: Endpoint, data: dict):
    headers = {"HTTP_HX_REQUEST": "true"} if endpoint.htmx else {}
    if endpoint.api and getattr(client, "api_secret", None):
        headers["HTTP_AUTHORIZATION"] = f"Bearer {client.api_secret}"
    if endpoint.method == "GET":
        return client.get(endpoint.path, data, **headers)
    if endpoint.json:
        return client.post(endpoint.path, json.dumps(data), content_type="application/json", **headers)
    return client.post(endpoint.path, data, **headers)


def assert_no_5xx(response, what: str):
    assert response.status_code < 500, f"{what} answered {response.status_code}"


def fuzz_endpoint(client: Client, world: World, persona: str, endpoint: Endpoint) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def fuzz(data):
        # Graded in a worker in production; here the queue is only emptied, cheaply.
        Submission.objects.pending().update(status=Submission.Status.GRADED, score=0)
        payload = request_data(data.draw, endpoint)
        assert_no_5xx(send(client, endpoint, payload), f"{persona} {endpoint.method} {endpoint.path} {payload!r:.300}")
        relogin(client, world, persona)

    fuzz()


def relogin(client: Client, world: World, persona: str) -> None:
    """After a fuzzed logout or password change, the persona logs back in."""
    Submission.objects.pending().update(status=Submission.Status.GRADED, score=0)
    if persona != "anonymous" and not client.session.get("_auth_user_id"):
        client.force_login(getattr(world, persona))


@pytest.mark.parametrize("persona", ["anonymous", "learner", "instructor"])
def test_no_endpoint_answers_5xx_to_hostile_values(world, persona):
    client = persona_client(world, persona)
    for endpoint in endpoints(world):
        for value in KNOWN_BAD:
            payload = {name: value for name in endpoint.fields if not (endpoint.files and name == "files")}
            assert_no_5xx(
                send(client, endpoint, payload),
                f"{persona} {endpoint.method} {endpoint.path} every field {value[:50]!r}",
            )
            relogin(client, world, persona)
        fuzz_endpoint(client, world, persona, endpoint)


@pytest.mark.parametrize("persona", ["anonymous", "learner", "instructor"])
def test_no_path_answers_5xx_to_hostile_segments(world, persona):
    client = persona_client(world, persona)

    @settings(max_examples=EXAMPLES * 5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(PATH_TEMPLATES), HOSTILE)
    def fuzz(template, segment):
        path = template.format(quote(segment[:2000], safe=""))
        assert_no_5xx(client.get(path), f"{persona} GET {path[:200]}")
        assert_no_5xx(client.post(path, {"answer": "x"}), f"{persona} POST {path[:200]}")

    fuzz()


def all_routes(patterns=None, prefix="") -> set[str]:
    patterns = get_resolver().url_patterns if patterns is None else patterns
    routes = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes |= all_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.add(prefix + str(pattern.pattern))
    return routes


def test_the_fuzz_covers_every_route_of_the_site(world):
    """A new view must join the list above: a route with no fuzzed request fails here."""
    import re

    from django.urls import resolve

    covered = {resolve(endpoint.path).route for endpoint in endpoints(world)}
    # Django's own pages: the admin, and the password pages that follow a form already fuzzed.
    ignored = re.compile(r"^admin/|^accounts/(password_change/done|password_reset/done|reset/|logout)")
    assert {route for route in all_routes() if not ignored.match(route)} - covered == set()
