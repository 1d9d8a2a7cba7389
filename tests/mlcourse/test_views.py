"""The health check and the rate-limit refusal, through the test client."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_reports_healthy_with_a_rendered_page_and_the_database(client, course, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    body = response.content.decode()
    assert response.status_code == 200, body
    assert "database: ok" in body and "redis: not used" in body
    assert "page: ok (" in body  # the home page rendered and its static files were found
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_reaches_a_real_redis(client, course, settings, redis_url):
    settings.REDIS_URL = settings.REDIS_CLIENT_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200 and "redis: ok" in response.content.decode()


def test_it_reaches_redis_named_in_kombus_socket_spelling(client, course, settings, redis_url):
    """Celery's REDIS_URL may read redis+socket://, which redis-py cannot parse: the health
    check uses redis-py's spelling of the same address (settings.REDIS_CLIENT_URL)."""
    settings.REDIS_URL, settings.REDIS_CLIENT_URL = "redis+socket:///run/redis.sock", redis_url
    response = client.get("/healthz")
    assert response.status_code == 200 and "redis: ok" in response.content.decode()


def test_it_answers_503_naming_redis_when_redis_is_down(client, course, settings, closed_port):
    settings.REDIS_URL = settings.REDIS_CLIENT_URL = f"redis://127.0.0.1:{closed_port}/0"
    response = client.get("/healthz")
    body = response.content.decode()
    assert response.status_code == 503
    assert "redis: FAILED ConnectionError" in body and "database: ok" in body


def test_it_answers_503_when_the_static_files_were_not_collected(client, course, settings, tmp_path):
    # What the image did before: files collected without the manifest the production storage reads.
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    response = client.get("/healthz")
    body = response.content.decode()
    assert response.status_code == 503
    assert "page: FAILED" in body and "Missing staticfiles manifest entry" in body


def test_it_answers_503_when_the_static_files_are_not_where_they_are_served_from(client, course, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path  # nothing collected there
    settings.WHITENOISE_USE_FINDERS = False  # as in production
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "static files missing: css/site.css" in response.content.decode()
