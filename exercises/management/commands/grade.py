import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from exercises.models import Exercise


class Command(BaseCommand):
    help = (
        "Grade an answer file against an exercise synchronously, with the same engine as the "
        "workers. Exit code 0 whenever grading ran, whatever the verdict."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the exercise's slug (see list_exercises)")
        parser.add_argument("answer_file", help="a file with the answer (code, expression, number, or choice indices)")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print one JSON object")

    def handle(self, *args, slug, answer_file, as_json: bool = False, **options):
        exercise = Exercise.objects.filter(slug=slug, current_version__isnull=False).first()
        if exercise is None:
            raise CommandError(f"No exercise with slug {slug!r}; see `manage.py list_exercises`.")
        path = Path(answer_file)
        if not path.is_file():
            raise CommandError(f"{answer_file}: no such file")
        if path.stat().st_size > settings.MAX_ANSWER_BYTES:
            raise CommandError(f"{answer_file}: the answer is larger than {settings.MAX_ANSWER_BYTES} bytes")
        try:
            answer = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CommandError(f"{answer_file}: not UTF-8 text") from None
        result = exercise.current_version.grade(answer)
        data = result.to_dict()
        data["feedback"] = data.pop("cases")
        if as_json:
            self.stdout.write(json.dumps(data, indent=2))
            return
        self.stdout.write(f"{exercise.slug}: {result.status}, score {result.score:.2f} - {result.message}")
        for case in result.cases:
            mark = "PASS" if case.passed else "FAIL"
            self.stdout.write(f"  {mark} {case.name}: {case.message}")

