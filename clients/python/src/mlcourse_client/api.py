"""The platform's REST API from Python."""

from __future__ import annotations

import time

import requests

from . import config

USER_AGENT = "mlcourse-client/0.1"


class ApiError(Exception):
    """The server refused or failed a request; `code` and `message` are the API's own."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class NotLoggedIn(Exception):
    def __init__(self):
        super().__init__("Not logged in: run `mlcourse login` in a terminal (with a token from your profile page).")


class Client:
    WAIT_SECONDS = 20  # one long-poll; the server may cap it lower

    def __init__(self, url: str, token: str, *, timeout: float = 60):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT})
        self.timeout = timeout

    @classmethod
    def from_config(cls) -> Client:
        settings = config.load()
        if not settings.get("url") or not settings.get("token"):
            raise NotLoggedIn()
        return cls(settings["url"], settings["token"])

    def _call(self, method: str, path: str, **kwargs) -> dict | list:
        try:
            response = self.session.request(method, f"{self.url}/api{path}", timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise ApiError(0, "unreachable", f"Cannot reach {self.url}: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            error = body.get("error", {}) if isinstance(body, dict) else {}
            raise ApiError(response.status_code, error.get("code", "error"), error.get("message") or response.reason)
        if body is None:
            raise ApiError(
                response.status_code,
                "bad_response",
                f"{self.url} did not answer with JSON; is it the course's address?",
            )
        return body

    def me(self) -> dict:
        return self._call("GET", "/me")

    def exercises(self) -> list[dict]:
        return self._call("GET", "/exercises")

    def exercise(self, slug: str) -> dict:
        return self._call("GET", f"/exercises/{slug}")

    def submission(self, submission_id: int, *, wait: float = 0) -> dict:
        return self._call("GET", f"/submissions/{submission_id}", params={"wait": wait})

    def submit(self, slug: str, answer: str, *, timeout: float = 180) -> dict:
        """Submit and return the graded submission (or the pending one after `timeout` seconds),
        long-polling the server so the verdict arrives as soon as it is in."""
        submission = self._call(
            "POST", f"/exercises/{slug}/submissions", json={"answer": answer}, params={"wait": self.WAIT_SECONDS}
        )
        deadline = time.monotonic() + timeout
        while submission["pending"] and time.monotonic() < deadline:
            submission = self.submission(
                submission["id"], wait=min(self.WAIT_SECONDS, max(1, deadline - time.monotonic()))
            )
        return submission
