import json

from django.core.management.base import BaseCommand

from grader.symbolic import check_expression


def _names(text: str | None) -> list[str] | None:
    return [name.strip() for name in text.split(",") if name.strip()] if text is not None else None


class Command(BaseCommand):
    help = (
        "Check whether an answer is equivalent to an expected expression, with the same reader "
        "and checker that grade learners. Exit code 0 whenever the check ran."
    )

    requires_system_checks = []  # it needs only the expression checker, not the code sandbox

    def add_arguments(self, parser):
        parser.add_argument("--expected", required=True, help="the expected expression (SymPy-style text)")
        parser.add_argument("--answer", required=True, help="the answer to check (text, or LaTeX with --latex)")
        parser.add_argument("--variables", help="comma-separated variable names (default: any single letters)")
        parser.add_argument("--positive", help="comma-separated variables assumed positive")
        parser.add_argument("--latex", action="store_true", help="read the answer as LaTeX")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print one JSON object")

    def handle(self, *args, expected, answer, variables, positive, latex, as_json, **options):
        reply = check_expression(
            expected, answer, variables=_names(variables), positive=_names(positive), latex=True if latex else None
        )
        data = self._summary(reply)
        if as_json:
            self.stdout.write(json.dumps(data))
            return
        if data["error"]:
            self.stdout.write(f"error: {data['error']}")
            if data.get("caret"):
                self.stdout.write(data["caret"])
            return
        verdict = {True: "equivalent", False: "NOT equivalent", None: "undecided"}[data["equivalent"]]
        self.stdout.write(f"{verdict}: read as {data['parsed']}")
        if data["message"] and data["equivalent"] is not True:
            self.stdout.write(data["message"])

    @staticmethod
    def _summary(reply: dict) -> dict:
        if reply.get("status") == "too-complex":
            return {
                "equivalent": None,
                "parsed": None,
                "latex": None,
                "error": "The answer is too complex to check.",
                "message": None,
            }
        if reply.get("status") != "ok":
            return {
                "equivalent": None,
                "parsed": None,
                "latex": None,
                "error": str(reply.get("message") or "The checker failed."),
                "message": None,
            }
        if not reply.get("ok"):
            error = reply.get("error") or {}
            message = " ".join(part for part in (error.get("message"), error.get("suggestion")) if part)
            return {
                "equivalent": None,
                "parsed": None,
                "latex": None,
                "error": message,
                "caret": error.get("caret"),
                "position": error.get("position"),
                "message": None,
            }
        equivalent = None if reply.get("undecided") else bool(reply.get("correct"))
        return {
            "equivalent": equivalent,
            "parsed": reply.get("parsed"),
            "latex": reply.get("latex"),
            "variables": reply.get("variables"),
            "kind": reply.get("kind"),
            "error": None,
            "message": reply.get("message"),
            "entries": [{k: e.get(k) for k in ("name", "passed", "message")} for e in reply.get("entries") or []],
        }
