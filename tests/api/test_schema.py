"""Property-based tests of the OpenAPI schema (schemathesis): for every operation, generated
requests (valid and invalid, with real slugs and ids mixed into random ones) never get a 5xx,
and every response matches the schema, errors included."""

import itertools

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode

from api.models import AccessToken
from exercises.models import Exercise
from teaching.models import Cohort
from tests.conftest import SIGMOID_RIGHT, SIGMOID_WRONG

config = schemathesis.Config.from_dict(
    {
        "dictionaries": {
            "slugs": {"values": ["sigmoid", "relu", "dot", "relu-choice", "activations", "linear-algebra"]},
            "answers": {"values": [SIGMOID_RIGHT, SIGMOID_WRONG, "0", "[0]", "2*x", "x**"]},
        },
        "parameters": {
            "path.slug": {"dictionary": "slugs", "probability": 0.6},
            "query.module": {"dictionary": "slugs", "probability": 0.6},
            "body.answer": {"dictionary": "answers", "probability": 0.5},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler(), config=config)


@pytest.fixture
def in_test_transaction():
    """Requests go straight to Django's WSGI handler, which closes the database connection
    after each one; the test client disconnects that too, so the test's transaction survives."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def instructor_token(course, instructor, learner, submit, settings):
    """An instructor who teaches a cohort with graded work in it (and may submit, as anyone)."""
    settings.API_RATE_LIMIT = settings.API_SUBMIT_RATE_LIMIT = "100000/min"
    settings.API_MAX_WAIT_SECONDS = 0
    cohort = Cohort.objects.create(name="Spring")
    cohort.instructors.add(instructor)
    cohort.enroll(learner)
    submit(learner, "sigmoid", SIGMOID_WRONG)
    assert Exercise.objects.filter(slug="sigmoid").exists()
    return AccessToken.issue(instructor, "schemathesis")[1]


# What the issue asks of every response: no server error, and a status, content type, headers
# and body the schema declares. (Invalid requests are generated too; that they get a declared
# 4xx in the one error shape is what these checks see.)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]


def test_it_answers_every_request_within_the_schema(instructor_token, in_test_transaction):
    """Every operation, with valid and with invalid requests, in one test, so that the course
    and its graded work are set up once."""
    headers = {"Authorization": f"Bearer {instructor_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers_within_the_schema(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        answers_within_the_schema()
