"""Request-wide middleware: refusing NUL characters in addresses, and showing times in the
viewer's own time zone."""

import zoneinfo

from django.http import HttpResponseBadRequest, JsonResponse
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
    """A NUL character in an address is never legitimate, and PostgreSQL refuses it in any text
    it compares: refuse it once here rather than in every view that looks a value up. (Form
    fields already refuse it through Django's ProhibitNullCharactersValidator.) The REST API
    gets its own error shape (api/schemas.py: ErrorOut), which its schema documents."""

    MESSAGE = "The address contains a NUL character."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = (text for key, values in request.GET.lists() for text in (key, *values))
        if "\x00" in request.path or any("\x00" in text for text in query):
            if request.path.startswith("/api/"):
                error = {"status": 400, "code": "bad_request", "message": self.MESSAGE, "details": None}
                return JsonResponse({"error": error}, status=400)
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain")
        return self.get_response(request)
