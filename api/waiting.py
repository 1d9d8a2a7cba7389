"""Waiting for a verdict, for the API's long-poll: the same push as the web pages'
(exercises/push.py), awaited, so a waiting client holds a coroutine and no thread."""

from __future__ import annotations

import asyncio

from exercises.models import Submission
from exercises.push import wait_for_verdict as wait_for_push


async def wait_for_verdict(submission: Submission, seconds: float) -> Submission:
    """The submission once graded (or failed), or as it is after `seconds`."""
    if not submission.is_pending or seconds <= 0:
        return submission
    pk = submission.pk

    async def still_pending() -> bool:
        return await Submission.objects.filter(pk=pk).pending().aexists()

    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    # Without a push channel each wait is a short sleep: the loop is then a poll.
    while (remaining := deadline - loop.time()) > 0 and await still_pending():
        await wait_for_push(pk, still_pending, remaining)
    return await Submission.objects.select_related("exercise", "version", "learner").aget(pk=pk)
