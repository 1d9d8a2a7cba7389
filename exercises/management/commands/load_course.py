from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.content import CONTENT_ROOT, ContentError, sync_course


class Command(BaseCommand):
    help = (
        "Sync the course files (lessons, exercises, quizzes; see docs/content-format.md) into the "
        "database. Idempotent: unchanged files change nothing, a changed exercise gets a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(CONTENT_ROOT), help="content folder (default: the built-in course)")
        parser.add_argument("--module", action="append", dest="modules", help="only this module (repeatable)")

    def handle(self, *args, path, modules, **options):
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
