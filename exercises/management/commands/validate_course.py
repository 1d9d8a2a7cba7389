from django.core.management.base import BaseCommand, CommandError

from exercises.models import Exercise
from grader.sandbox import SandboxError


class Command(BaseCommand):
    help = (
        "Check exercises against their own references in the sandbox: the reference must pass "
        "every case, the starter and each listed mutant or mistake must fail (the publish gate). A draft "
        "is checked rather than the version learners have. Exits 1 on a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="exercises to check (default: all)")
        parser.add_argument("--module", help="only this module's exercises")

    def handle(self, *args, slugs, module, **options):
        exercises = Exercise.objects.filter(current_version__isnull=False).select_related(
            "current_version", "draft_version"
        )
        if slugs:
            exercises = exercises.filter(slug__in=slugs)
            missing = set(slugs) - set(exercises.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"Unknown exercise(s): {', '.join(sorted(missing))}")
        if module:
            exercises = exercises.filter(module__slug=module)
        problems = 0
        for exercise in exercises:
            try:
                checks = exercise.latest_version.validate()
            except SandboxError as exc:
                problems += 1
                self.stdout.write(self.style.ERROR(f"FAIL {exercise.slug}: {exc}"))
                continue
            for check in checks:
                if check.ok:
                    continue
                problems += 1
                expectation = "pass" if check.should_pass else "fail"
                self.stdout.write(
                    self.style.ERROR(f"FAIL {exercise.slug}: {check.name} should {expectation}: {check.result.message}")
                )
                for case in check.result.cases:
                    if not case.passed and check.should_pass:
                        self.stdout.write(f"     {case.name}: {case.message}")
            if all(check.ok for check in checks):
                self.stdout.write(f"ok   {exercise.slug} ({len(checks)} checks)")
        if problems:
            raise CommandError(f"{problems} problem(s) found.")
