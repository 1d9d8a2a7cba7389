"""Start the real stack for a benchmark: a private Redis, a database of its own, migrations and
the course, gunicorn with ASGI workers, and the two Celery workers, as production runs them.

    with Stack(modules=["activations"]) as stack:
        stack.url            # http://127.0.0.1:PORT
        stack.create_learners(["a", "b"], password)

PostgreSQL when DATABASE_URL is set (a fresh database is created beside the one it names and
dropped at the end), otherwise SQLite in a temporary folder. Nothing is left running.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    def __init__(self, *, modules: list[str], web_workers: int = 3, env: dict | None = None, quiet: bool = True):
        self.modules, self.web_workers, self.extra_env, self.quiet = modules, web_workers, env or {}, quiet
        self.workdir = Path(tempfile.mkdtemp(prefix="mlcourse-stack-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.database_url = ""
        self.postgres_admin_url = ""
        self.database_name = ""

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.database_name:
            self._postgres(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
        shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def env(self) -> dict:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis+socket://{self.workdir}/redis.sock",
            "DEBUG": "false",
            "SECRET_KEY": self.secret,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "false",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "DATABASE_POOL_SIZE": "8",  # as docker-compose.yml sets it
            **self.extra_env,
        }

    def _start(self) -> None:
        self.secret = secrets.token_urlsafe(40)
        self._spawn(
            ["redis-server", "--port", "0", "--unixsocket", str(self.workdir / "redis.sock"), "--unixsocketperm", "700",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
        )  # fmt: skip
        self._wait_for(lambda: (self.workdir / "redis.sock").exists(), "redis-server")
        self._database()
        manage = [str(BIN / "python"), "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=self.env, check=True)
        load = [*manage, "load_course", "--prepare"] + [arg for module in self.modules for arg in ("--module", module)]
        subprocess.run(load, cwd=ROOT, env=self.env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True)
        log = "warning" if self.quiet else "info"
        self._spawn(
            [str(BIN / "gunicorn"), "mlcourse.asgi", "--worker-class", "uvicorn_worker.UvicornWorker",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.web_workers), "--log-level", log],
        )  # fmt: skip
        celery = [
            str(BIN / "celery"),
            "-A",
            "mlcourse",
            "worker",
            "--loglevel",
            log,
            "--without-gossip",
            "--without-mingle",
        ]
        # As in docker-compose.yml: one worker per lane; the backlog's runs compute on one core at most.
        self._spawn([*celery, "-Q", "grading", "-n", "code@%h"])
        self._spawn(
            [*celery, "-Q", "grading-backlog", "-n", "backlog@%h"], GRADING_CPU_SLOTS="1", GRADING_RUNS_IN_FLIGHT="4"
        )
        beat = ["--beat", "--schedule", str(self.workdir / "beat")]
        self._spawn([*celery, "-Q", "grading-answers", "--concurrency", "4", *beat, "-n", "answers@%h"])
        self._wait_for(self._web_answers, "the web server", seconds=60)

    def _spawn(self, command: list[str], **env: str) -> None:
        output = subprocess.DEVNULL if self.quiet else None
        self.processes.append(
            subprocess.Popen(
                command, cwd=ROOT, env={**self.env, **env}, stdout=output, stderr=output, start_new_session=True
            )
        )

    def _wait_for(self, ready, what: str, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while not ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start")
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{' '.join(process.args[:2])} exited with {process.returncode}")
            time.sleep(0.1)

    def _web_answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    # --- the database --------------------------------------------------------------------------

    def _database(self) -> None:
        given = os.environ.get("DATABASE_URL", "")
        if not given.startswith(("postgres://", "postgresql://")):
            self.database_url = f"sqlite:///{self.workdir}/load.sqlite3"
            return
        parts = urllib.parse.urlparse(given)
        self.database_name = f"mlcourse_bench_{os.getpid()}"
        self.postgres_admin_url = given
        self._postgres(f'CREATE DATABASE "{self.database_name}"')
        self.database_url = urllib.parse.urlunparse(parts._replace(path=f"/{self.database_name}"))

    def _postgres(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.postgres_admin_url, autocommit=True) as connection:
            connection.execute(statement)

    @property
    def engine(self) -> str:
        return "PostgreSQL" if self.database_name else "SQLite"

    # --- data ----------------------------------------------------------------------------------

    def django(self, code: str) -> str:
        """Run Python in a Django shell against the stack's database; returns its stdout."""
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", "shell", "-c", code],
            cwd=ROOT, env=self.env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout

    def create_learners(self, usernames: list[str], password: str) -> None:
        # One hash for every account: hashing is deliberately slow, and it is not what is measured.
        self.django(
            "from django.contrib.auth.hashers import make_password\n"
            "from django.contrib.auth.models import User\n"
            f"hashed = make_password({password!r})\n"
            f"User.objects.bulk_create([User(username=name, password=hashed) for name in {usernames!r}])\n"
        )
