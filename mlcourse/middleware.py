"""Request-wide middleware: refusing NUL characters in addresses, and showing times in the
viewer's own time zone."""

import zoneinfo

from django.http import HttpResponseBadRequest
from django.utils import timezone

COOKIE = "tz"


class ViewerTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.COOKIES.get(COOKIE, "")
        try:
            zone = zoneinfo.ZoneInfo(name) if name and len(name) < 64 and ".." not in name else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        return self.get_response(request)


class RefuseNulCharactersMiddleware:
    """A NUL character in a query string is never legitimate, and PostgreSQL refuses it in any
    text it compares: refuse it once here rather than in every view that filters on a parameter.
    (Form fields already refuse it through Django's ProhibitNullCharactersValidator.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            return HttpResponseBadRequest("The address contains a NUL character.", content_type="text/plain")
        return self.get_response(request)
