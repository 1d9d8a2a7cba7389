import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
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
        parser.add_argument("--learner", help="grade the variant this learner sees (exercises with randomised params)")
        parser.add_argument(
            "--param", action="append", default=[], metavar="NAME=VALUE", help="set a parameter (repeatable)"
        )

    def handle(self, *args, slug, answer_file, as_json=False, learner=None, param=(), **options):
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
        context = self._context(exercise, learner, param)
        result = exercise.current_version.grade(answer, context)
        data = result.to_dict()
        data["feedback"] = data.pop("cases")
        if context.get("params"):
            data["params"] = context["params"]
        if as_json:
            self.stdout.write(json.dumps(data, indent=2))
            return
        self.stdout.write(f"{exercise.slug}: {result.status}, score {result.score:.2f} - {result.message}")
        for case in result.cases:
            mark = "PASS" if case.passed else "FAIL"
            self.stdout.write(f"  {mark} {case.name}: {case.message}")

    @staticmethod
    def _context(exercise: Exercise, username: str | None, assignments: list[str]) -> dict:
        user = None
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user named {username!r}.")
        context = exercise.context_for(user) if user else exercise.context_for(AnonymousUser())
        for assignment in assignments:
            name, _, value = assignment.partition("=")
            if name not in context.get("params", {}):
                raise CommandError(f"{exercise.slug} has no parameter {name!r}.")
            try:
                context["params"][name] = int(value) if value.lstrip("-").isdigit() else float(value)
            except ValueError:
                raise CommandError(f"--param {assignment!r}: the value must be a number.") from None
        return context
