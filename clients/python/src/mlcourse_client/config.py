"""Where the server and the token are kept: a small JSON file only its owner can read."""

from __future__ import annotations

import json
import os
from pathlib import Path


def config_path() -> Path:
    if os.environ.get("MLCOURSE_CONFIG"):
        return Path(os.environ["MLCOURSE_CONFIG"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "mlcourse" / "config.json"


def load() -> dict:
    path = config_path()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        data = {}
    except (OSError, ValueError) as exc:
        raise SystemExit(f"Cannot read {path}: {exc}") from None
    if os.environ.get("MLCOURSE_URL"):
        data["url"] = os.environ["MLCOURSE_URL"]
    if os.environ.get("MLCOURSE_TOKEN"):
        data["token"] = os.environ["MLCOURSE_TOKEN"]
    return data


def save(url: str, token: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created with owner-only permissions from the start: the token is a password.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump({"url": url, "token": token}, file, indent=2)
    os.chmod(path, 0o600)
    return path
