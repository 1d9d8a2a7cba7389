"""Times shown in the viewer's own time zone: the browser names it in a cookie (static/js/site.js)."""

import zoneinfo

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
