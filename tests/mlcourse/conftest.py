import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest


@pytest.fixture
def redis_url(tmp_path):
    """REDIS_URL when set (CI), else a private redis-server on a socket; skip when neither exists."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = shutil.which("redis-server")
    if not server:
        pytest.skip("no REDIS_URL and no redis-server to start")
    socket_path = tmp_path / "redis.sock"
    process = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(socket_path), "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        if socket_path.exists():
            break
        time.sleep(0.05)
    yield f"unix://{socket_path}"
    process.terminate()
    process.wait()


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on: a Redis that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def rate_limits(settings):
    """Rate limits on, counted in a cache of this test's own, with small limits to reach."""
    settings.RATELIMIT_ENABLE = True
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }
    settings.RATE_LIMITS = {
        "submit": {"user": "2/m", "ip": "100/m"},
        "preview": {"user": "2/m", "ip": "100/m"},
        "login": {"user": "3/m", "ip": "100/m"},
        "signup": {"ip": "2/h"},
    }
    return settings.RATE_LIMITS


@pytest.fixture
def fast_passwords(settings):
    """Logins in a loop: a cheap hasher, since PBKDF2 costs a good fraction of a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
