"""Site-wide views: the health check and the answer to a request over its rate limit."""

import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.http import reswap, retarget


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_redis() -> str:
    if not settings.REDIS_URL:
        return "not used (no REDIS_URL)"
    import redis

    client = redis.Redis.from_url(settings.REDIS_CLIENT_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _check_page(request) -> str:
    """Render the home page as a visitor gets it, and find every static file it links to
    where WhiteNoise serves it from (collected files; the source folders too in development):
    a missing manifest entry or an uncollected file fails here, not in front of learners."""
    from exercises.views import home

    page = home(request)
    if page.status_code != 200:
        raise RuntimeError(f"the home page answered {page.status_code}")
    prefix = re.escape(staticfiles_storage.base_url)
    names = re.findall(rf'(?:href|src)="{prefix}([^"?#]+)', page.content.decode())
    if not names:
        raise RuntimeError("the home page links to no static files")
    missing = [
        name
        for name in names
        if not (staticfiles_storage.exists(name) or (settings.WHITENOISE_USE_FINDERS and finders.find(name)))
    ]
    if missing:
        raise RuntimeError(f"static files missing: {', '.join(missing)}")
    return f"ok ({len(names)} static files)"


@never_cache
@require_GET
def healthz(request):
    """200 when the site can serve a real page and reach its database and Redis; 503 and
    the failing part otherwise. Plain text, one line per part."""
    lines, healthy = [], True
    for name, check in (("database", _check_database), ("redis", _check_redis), ("page", lambda: _check_page(request))):
        try:
            lines.append(f"{name}: {check()}")
        except Exception as exc:  # a health check reports every failure instead of raising it
            healthy = False
            lines.append(f"{name}: FAILED {type(exc).__name__}: {exc}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain", status=200 if healthy else 503)


TOO_MANY = "Too many requests in a short time: this one was not accepted. Wait a minute, then send it again."


def rate_limited(request, exception):
    """django-ratelimit's refusal: a 429 with a message, as a fragment for htmx requests (shown
    next to the button that sent it) and as a page otherwise."""
    if getattr(request, "htmx", False):
        response = render(request, "_rate_limited.html", {"message": TOO_MANY}, status=429)
        # Into the refusal box next to the Submit button, when the page has one.
        response = reswap(retarget(response, "#form-errors"), "innerHTML")
    else:
        response = render(request, "429.html", {"message": TOO_MANY}, status=429)
    response["Retry-After"] = "60"
    return response
