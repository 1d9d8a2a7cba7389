"""`mlcourse login | list | get SLUG [PATH] | submit SLUG [PATH]`."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from . import config, feedback, files
from .api import ApiError, Client, NotLoggedIn


def login(args) -> int:
    url = args.url or input("Course address (e.g. https://course.example.org/): ").strip()
    token = args.token or getpass.getpass("Token (from your profile page): ").strip()
    me = Client(url, token).me()
    path = config.save(url, token)
    print(f"Logged in to {url} as {me['username']} (token “{me['token']['name']}”). Saved in {path}.")
    return 0


def list_exercises(args) -> int:
    for row in Client.from_config().exercises():
        mark = "✓" if row["solved"] else "·" if row["attempts"] else " "
        print(f"{mark} {row['slug']:<36} {row['kind']:<9} {row['title']}")
    return 0


def get(args) -> int:
    exercise = Client.from_config().exercise(args.slug)
    path = files.write(exercise, Path(args.path or f"{args.slug}.ipynb"), force=args.force)
    print(f"Wrote {exercise['title']} to {path}.")
    return 0


def submit(args) -> int:
    client = Client.from_config()
    exercise = client.exercise(args.slug)
    path = Path(args.path) if args.path else files.default_path(args.slug)
    answer = files.read_answer(path, args.slug, exercise["kind"])
    submission = client.submit(args.slug, answer)
    print(feedback.as_text(submission))
    return 0 if submission["correct"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mlcourse", description="Exercises of Mathematics for Machine Learning, from your own notebook or editor."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("login", help="save the course's address and your token")
    command.add_argument("--url", help="the course's address")
    command.add_argument("--token", help="a personal access token from your profile page (asked for if not given)")
    command.set_defaults(run=login)
    command = commands.add_parser("list", help="the exercises, with what you solved")
    command.set_defaults(run=list_exercises)
    command = commands.add_parser("get", help="write an exercise's statement and starter into a notebook or a .py file")
    command.add_argument("slug")
    command.add_argument("path", nargs="?", help="SLUG.ipynb by default; a .py name writes a Python file")
    command.add_argument("--force", action="store_true", help="overwrite the file")
    command.set_defaults(run=get)
    command = commands.add_parser("submit", help="submit the answer in a notebook or file and print the feedback")
    command.add_argument("slug")
    command.add_argument("path", nargs="?", help="SLUG.ipynb or SLUG.py by default")
    command.set_defaults(run=submit)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ApiError, NotLoggedIn, FileExistsError, FileNotFoundError, ValueError) as exc:
        print(f"mlcourse: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
