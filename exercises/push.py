"""Verdicts pushed to the page that waits for them.

When a worker records a verdict it publishes the submission's id on Redis (`announce`); the
submission page's long poll (`wait_for_verdict`, in an async view) subscribes to that channel
and answers as soon as the message arrives, a few milliseconds after the verdict is stored.
Without Redis, or while it is unreachable, the wait degrades to a short sleep: the page then
polls, and still gets its verdict. Nothing here decides anything: the database stays the
only record of a submission's state, and the page always re-reads it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import redis
import redis.asyncio
from django.conf import settings

log = logging.getLogger(__name__)

CHANNEL = "mlcourse:verdict:{}"
_client: redis.Redis | None = None


def _sync_client() -> redis.Redis | None:
    global _client
    if not settings.VERDICT_PUSH_URL:
        return None
    if _client is None:
        _client = redis.Redis.from_url(settings.VERDICT_PUSH_URL, socket_connect_timeout=1, socket_timeout=1)
    return _client


def announce(submission_id: int) -> None:
    """Tell waiting pages that this submission's verdict is recorded."""
    client = _sync_client()
    if client is None:
        return
    try:
        client.publish(CHANNEL.format(submission_id), b"1")
    except redis.RedisError as exc:  # the page's next poll still finds the verdict
        log.warning("Could not announce the verdict of submission %s: %s", submission_id, exc)


async def wait_for_verdict(submission_id: int, still_pending: Callable[[], Awaitable[bool]], timeout: float) -> bool:
    """Wait until the submission is announced, at most `timeout` seconds. `still_pending` is
    asked once subscribed, so a verdict recorded just before is not missed. Returns False when
    there is no push channel (after a short sleep: the caller then behaves like a poll)."""
    if not settings.VERDICT_PUSH_URL:
        await asyncio.sleep(settings.VERDICT_POLL_SECONDS)
        return False
    client = redis.asyncio.Redis.from_url(settings.VERDICT_PUSH_URL, socket_connect_timeout=1)
    try:
        async with client.pubsub() as pubsub:
            await pubsub.subscribe(CHANNEL.format(submission_id))
            if not await still_pending():
                return True
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while (remaining := deadline - loop.time()) > 0:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=remaining)
                if message is not None and message.get("type") == "message":
                    return True
            return True
    except (redis.RedisError, OSError) as exc:
        log.warning("Verdict push unavailable, polling instead: %s", exc)
        await asyncio.sleep(settings.VERDICT_POLL_SECONDS)
        return False
    finally:
        await client.aclose()
