from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from exercises.content import CONTENT_ROOT, ContentError, sync_course
from exercises.models import ExerciseVersion
from grader import kinds
from grader.sandbox import SandboxError


class Command(BaseCommand):
    help = (
        "Sync the course files (lessons, exercises, quizzes; see docs/content-format.md) into the "
        "database. Idempotent: unchanged files change nothing, a changed exercise gets a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", default=str(CONTENT_ROOT), help="content folder (default: the built-in course)"
        )
        parser.add_argument("--module", action="append", dest="modules", help="only this module (repeatable)")
        parser.add_argument(
            "--prepare",
            action="store_true",
            help="also run each code exercise's case generator and reference in the sandbox now, and time "
            "the reference (the learners' time limits derive from it), instead of at the first Submit",
        )

    def handle(self, *args, path, modules, prepare, **options):
        try:
            report = sync_course(Path(path), set(modules) if modules else None)
        except ContentError as exc:
            raise CommandError(str(exc)) from None
        except FileNotFoundError as exc:
            raise CommandError(f"{exc.filename}: no such file or folder") from None
        self.stdout.write(
            f"Loaded {report.modules} modules and {report.exercises} exercises ({report.new_versions} new versions)."
        )
        if report.unpublished:
            self.stdout.write(f"Unpublished (their files are gone): {', '.join(report.unpublished)}")
        if prepare:
            self._prepare(modules)

    def _prepare(self, modules) -> None:
        versions = ExerciseVersion.objects.filter(
            exercise__current_version=F("pk"), exercise__kind__in=kinds.preparing_cases()
        )
        if modules:
            versions = versions.filter(exercise__module__slug__in=modules)
        prepared, failed = 0, []
        for version in versions.select_related("exercise"):
            if not version.needs_preparing:
                continue
            try:
                version.prepare()
                prepared += 1
            except SandboxError as exc:
                failed.append(f"{version}: {exc}")
        self.stdout.write(f"Prepared the cases of {prepared} code exercise(s).")
        if failed:
            raise CommandError("Could not prepare:\n" + "\n".join(failed))
