"""The production build serves: static files collected exactly as the Dockerfile does, then
gunicorn with DEBUG off on a loopback port, fetched like a browser behind the TLS proxy
(X-Forwarded-Proto: https). No Docker engine is needed: these are the image's own commands.

Without a manifest written under the production settings every page would be a 500 while a
health check that only said "ok" stayed green; this is the test that catches both.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_KEY = "production-test-key-" + "k" * 40
PAGES = ["/", "/modules/activations/", "/exercises/sigmoid/", "/accounts/login/"]


def dockerfile_collectstatic() -> str:
    """The Dockerfile's collectstatic step, word for word."""
    lines = [
        line
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("RUN ") and "collectstatic" in line
    ]
    assert len(lines) == 1, "the Dockerfile should collect static files in exactly one RUN step"
    return lines[0].removeprefix("RUN ")


class Assets(HTMLParser):
    """Stylesheets and scripts a page links to."""

    def __init__(self):
        super().__init__()
        self.stylesheets, self.scripts = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])
        elif tag == "script":
            assert attrs.get("src"), "an inline <script> would be blocked by the CSP"
            self.scripts.append(attrs["src"])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, *, https: bool = True) -> tuple[int, dict, bytes]:
    headers = {"X-Forwarded-Proto": "https"} if https else {}
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """A migrated database with the test course, static files built as in the image, and a
    gunicorn serving them with DEBUG off."""
    folder = tmp_path_factory.mktemp("production")
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "STATIC_ROOT": str(folder / "static"),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": TEST_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    if os.environ.get("REDIS_URL"):  # CI: the health check reaches the real Redis too
        env["REDIS_URL"] = os.environ["REDIS_URL"]

    def run(command: str, environment: dict):
        done = subprocess.run(
            command, shell=True, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"

    # The build step has only what the image's build has: no key, no database, no hosts.
    build_env = {name: env[name] for name in ("PATH", "HOME", "LANG", "STATIC_ROOT")}
    run(dockerfile_collectstatic(), build_env)
    run(
        f"python manage.py migrate --noinput && python manage.py load_course {ROOT / 'tests' / 'fixtures' / 'course'}",
        env,
    )

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "mlcourse.wsgi",
            "--bind",
            f"fd://{listener.fileno()}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        pass_fds=[listener.fileno()],
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "gunicorn.log", "wb"),  # noqa: SIM115 -- closed with the process
    )
    listener.close()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(f"{base}/healthz", https=False)[0] in (200, 503):
                    break
            except OSError:
                pass
            assert server.poll() is None, (folder / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.2)
        yield {"base": base, "port": port, "env": env, "log": folder / "gunicorn.log"}
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_it_collects_static_files_under_the_production_settings():
    step = dockerfile_collectstatic()
    assert "DEBUG=false" in step and "collectstatic" in step


@pytest.mark.parametrize("path", PAGES)
def test_it_serves_the_main_pages_with_their_css_and_scripts(production, path):
    status, headers, body = fetch(production["base"] + path)
    assert status == 200, production["log"].read_text()[-3000:]
    assets = Assets()
    assets.feed(body.decode())
    assert assets.stylesheets, "every page links the site's stylesheet"
    for href in assets.stylesheets:
        assert re.search(r"\.[0-9a-f]{12}\.css$", href), f"{href} is not a hashed (manifest) name"
        status, asset_headers, css = fetch(production["base"] + href)
        assert status == 200 and asset_headers["Content-Type"].startswith("text/css") and css
    for src in assets.scripts:
        status, _, script = fetch(production["base"] + src)
        assert status == 200 and script, src
    policy = headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "camera=()" in headers["Permissions-Policy"]
    assert "max-age=" in headers["Strict-Transport-Security"]


def test_it_sends_cookies_only_over_https(production):
    _, headers, _ = fetch(production["base"] + "/accounts/login/")
    cookie = headers["Set-Cookie"]
    assert "csrftoken=" in cookie and "Secure" in cookie


def test_it_redirects_plain_http_to_https_except_the_health_check(production):
    status, headers, _ = fetch(production["base"] + "/", https=False)
    assert status == 301 and headers["Location"].startswith("https://")
    status, _, body = fetch(production["base"] + "/healthz", https=False)
    assert status == 200, body.decode()
    assert "database: ok" in body.decode() and "page: ok" in body.decode()


def test_it_passes_the_containers_health_probe(production):
    probe = subprocess.run(
        [sys.executable, "scripts/healthcheck.py", str(production["port"])],
        cwd=ROOT,
        env=production["env"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert "page: ok" in probe.stdout
