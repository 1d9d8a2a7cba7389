"""Who a request comes from, and the per-user and per-address request limits built on it.

The limits are django-ratelimit's, counted in the default cache (Redis when REDIS_URL is set);
the rates are settings (RATE_LIMITS), read at each request so that tests can change them. A
refused request raises django-ratelimit's exception, which `mlcourse.views.rate_limited`
turns into a 429 page or fragment.
"""

import ipaddress
import unicodedata

from django.conf import settings
from django_ratelimit.decorators import ratelimit


def client_ip(request) -> str:
    """The client's address: the connection's own, or the one the trusted proxies saw.

    Each of the TRUSTED_PROXY_COUNT proxies appends the address it was connected from to
    X-Forwarded-For, so the client is that many entries from the right; anything further
    left was written by the client and proves nothing.
    """
    address = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            address = forwarded[-count]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "0.0.0.0"


MAX_USERNAME = 150  # django.contrib.auth's User.username


def normalised_username(raw: str | None) -> str:
    """A typed username as the login form reads it (NFKC, stripped), cut to the longest a user
    can have: variants of one name count as one, and no record outgrows its column."""
    return unicodedata.normalize("NFKC", raw or "").strip()[:MAX_USERNAME]


def login_username(group: str, request) -> str:
    """django-ratelimit's key for counting logins per username."""
    return normalised_username(request.POST.get("username"))


def axes_username(request, credentials: dict | None = None) -> str:
    """django-axes' username of a login attempt (AXES_USERNAME_CALLABLE)."""
    raw = (credentials or {}).get("username") or getattr(request, "POST", {}).get("username")
    return normalised_username(raw)


def _rate(action: str, who: str):
    return lambda group, request: settings.RATE_LIMITS[action][who]


def limit_posts(action: str, *, user_key: str | None = "user_or_ip"):
    """Refuse a view's POSTs beyond settings.RATE_LIMITS[action]: one count per client address,
    and one per learner (or per `user_key`; None for an action that only the address can
    count, such as signing up). GETs are never counted."""

    def decorator(view):
        view = ratelimit(group=f"{action}:ip", key="ip", rate=_rate(action, "ip"), method="POST")(view)
        if user_key is None:
            return view
        return ratelimit(group=f"{action}:user", key=user_key, rate=_rate(action, "user"), method="POST")(view)

    return decorator
