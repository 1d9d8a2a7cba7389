"""`manage.py check --deploy` warnings about the site's own settings (Django's security
checks cover the rest)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    if settings.REDIS_URL:
        return []
    return [
        checks.Warning(
            "No REDIS_URL: request rate limits are counted in each web process's own memory.",
            hint="Set REDIS_URL so that every gunicorn worker shares one count (docker-compose does).",
            id="mlcourse.W001",
        )
    ]
