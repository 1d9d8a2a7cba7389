from django.apps import AppConfig


class MlcourseConfig(AppConfig):
    """The project itself, as an app only to register its deployment checks."""

    name = "mlcourse"
    verbose_name = "Site"

    def ready(self):
        from . import checks  # noqa: F401 - registers the checks
