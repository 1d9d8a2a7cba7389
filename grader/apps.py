from django.apps import AppConfig


class GraderConfig(AppConfig):
    name = "grader"
    verbose_name = "Grading engine"

    def ready(self):
        from . import checks  # noqa: F401 - registers the sandbox's isolation checks
