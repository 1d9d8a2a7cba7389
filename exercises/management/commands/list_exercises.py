import json

from django.core.management.base import BaseCommand

from exercises.models import Exercise


class Command(BaseCommand):
    help = "List the exercises with their module, kind and topics (add --json for machines)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="print one JSON list")
        parser.add_argument("--all", action="store_true", dest="include_all", help="include unpublished exercises")

    def handle(self, *args, as_json: bool = False, include_all: bool = False, **options):
        exercises = Exercise.objects.select_related("module", "current_version").prefetch_related("topics")
        if not include_all:
            exercises = exercises.published()
        rows = []
        for exercise in exercises:
            row = {
                "slug": exercise.slug,
                "title": exercise.title,
                "module": exercise.module.slug,
                "kind": exercise.kind,
                "difficulty": exercise.difficulty,
                "quiz": exercise.in_quiz,
                "published": exercise.published,
                "topics": [topic.id for topic in exercise.topics.all()],
            }
            if exercise.current_version and "entry_point" in exercise.spec:
                row["entry_point"] = exercise.spec["entry_point"]
            rows.append(row)
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['module']:<20} {row['kind']:<9} {row['slug']:<40} {', '.join(row['topics'])}")
