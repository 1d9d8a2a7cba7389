"""A class at a deadline, replayed over HTTP against the real stack.

    python benchmarks/load.py            # 50 learners, 1,000 submissions (about 4 minutes)
    python benchmarks/load.py --quick    # 30 learners, 300 submissions (under 3 minutes)
    python benchmarks/load.py --browser  # also: click-to-verdict in Chromium on the idle stack

It starts the stack itself (benchmarks/stack.py: a private Redis, PostgreSQL when DATABASE_URL
is set or else SQLite, gunicorn with ASGI workers, the code and answers Celery workers), logs
learners in through the login form with CSRF, and has each of them work through
`stable-sigmoid`: Submit (an htmx POST), wait for the verdict through the page's long poll,
think a few seconds, Submit again. Their answers mix correct, wrong, syntax errors, infinite
loops, memory hogs and sleepers. Three flooders keep the most pending submissions the platform
allows, all infinite loops, for the whole run; one probe learner submits a correct answer
every few seconds. POST-to-graded is measured by the client, from sending the POST to
receiving the verdict. Afterwards the database is checked: every submission final, none
graded twice, no message sent twice, and attempts equal to graded submissions.

The last line is
    load: submissions N, lost L, stuck S, 5xx E, graded p95 X s, probe p95 Y s
where N counts the class's submissions (not the flooders' or the probe's), lost counts POSTs
accepted without a stored submission, stuck counts submissions not final at the end, and
"graded p95" is over the correct and wrong answers.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Stack

SLUG = "stable-sigmoid"
PASSWORD = "load-benchmark-password"

ANSWERS = {
    "correct": "import numpy as np\n\ndef sigmoid(z):\n    z = np.asarray(z, dtype=float)\n    return 0.5 * (1 + np.tanh(0.5 * z))\n",
    "wrong": "import numpy as np\n\ndef sigmoid(z):\n    return 1.0 / (1.0 + np.exp(np.asarray(z, dtype=float)))\n",
    "syntax": "import numpy as np\n\ndef sigmoid(z)\n    return z\n",
    "loop": "def sigmoid(z):\n    while True:\n        pass\n",
    "hog": "def sigmoid(z):\n    hoard = []\n    while True:\n        hoard.append(bytearray(8 * 1024 * 1024))\n",
    "sleep": "import time\n\ndef sigmoid(z):\n    time.sleep(60)\n",
}
MIX = {"correct": 0.48, "wrong": 0.25, "syntax": 0.12, "loop": 0.05, "hog": 0.05, "sleep": 0.05}
SUBMISSION_ID = re.compile(rb'id="submission-(\d+)"')


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    ids: list[int] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    refused: int = 0
    accepted_without_id: int = 0

    def count(self, response) -> None:
        self.statuses[response.status_code] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


async def logged_in(httpx, base: str, username: str, tally: Tally):
    client = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False)
    page = await client.get("/accounts/login/")
    tally.count(page)
    response = await client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    tally.count(response)
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not log in: HTTP {response.status_code}")
    tally.count(await client.get(f"/exercises/{SLUG}/"))
    return client


async def post_answer(client, answer: str, tally: Tally) -> int | None:
    """One htmx Submit: the submission's id, or None when it was refused (e.g. too many pending)."""
    response = await client.post(
        f"/exercises/{SLUG}/",
        data={"answer": answer},
        headers={"HX-Request": "true", "X-CSRFToken": client.cookies["csrftoken"], "Referer": str(client.base_url)},
    )
    tally.count(response)
    if response.status_code != 200:
        tally.refused += 1
        return None
    match = SUBMISSION_ID.search(response.content)
    if match is None:
        tally.accepted_without_id += 1
        return None
    pk = int(match.group(1))
    tally.ids.append(pk)
    return pk


async def wait_for_verdict(client, pk: int, tally: Tally) -> None:
    """Follow the page's long poll until the fragment is no longer pending."""
    while True:
        response = await client.get(f"/submissions/{pk}/?wait=1", headers={"HX-Request": "true"})
        tally.count(response)
        if response.status_code >= 500:
            await asyncio.sleep(1)
            continue
        if b"data-pending" not in response.content:
            return


async def learner(httpx, base, name, kinds, think, tally: Tally) -> None:
    client = await logged_in(httpx, base, name, tally)
    try:
        for kind in kinds:
            await asyncio.sleep(random.uniform(*think))
            started = time.perf_counter()
            pk = await post_answer(client, ANSWERS[kind], tally)
            if pk is None:
                continue
            await wait_for_verdict(client, pk, tally)
            tally.times[kind].append(time.perf_counter() - started)
    finally:
        await client.aclose()


async def flooder(httpx, base, name, stop: asyncio.Event, tally: Tally) -> None:
    """Keeps as many infinite loops pending as the platform allows, without waiting for them."""
    client = await logged_in(httpx, base, name, tally)
    try:
        while not stop.is_set():
            if await post_answer(client, ANSWERS["loop"], tally) is None:
                await asyncio.sleep(0.5)
    finally:
        await client.aclose()


async def probe(httpx, base, name, stop: asyncio.Event, every: float, tally: Tally) -> None:
    client = await logged_in(httpx, base, name, tally)
    try:
        while not stop.is_set():
            started = time.perf_counter()
            pk = await post_answer(client, ANSWERS["correct"], tally)
            if pk is not None:
                await wait_for_verdict(client, pk, tally)
                tally.times["probe"].append(time.perf_counter() - started)
            await asyncio.sleep(every)
    finally:
        await client.aclose()


async def replay(base: str, options) -> tuple[Tally, Tally, Tally, float]:
    import httpx

    rng = random.Random(options.seed)
    per_learner = options.submissions // options.learners
    plan = []
    for index in range(options.learners):
        count = per_learner + (1 if index < options.submissions % options.learners else 0)
        plan.append(rng.choices(list(MIX), weights=list(MIX.values()), k=count))
    class_tally, flood_tally, probe_tally = Tally(), Tally(), Tally()
    stop = asyncio.Event()
    started = time.perf_counter()
    background = [
        asyncio.create_task(flooder(httpx, base, f"flooder{i}", stop, flood_tally)) for i in range(options.flooders)
    ]
    background.append(asyncio.create_task(probe(httpx, base, "probe", stop, options.probe_every, probe_tally)))
    await asyncio.gather(
        *(learner(httpx, base, f"learner{i}", kinds, options.think, class_tally) for i, kinds in enumerate(plan))
    )
    elapsed = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*background)
    return class_tally, flood_tally, probe_tally, elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def line(name: str, values: list[float]) -> str:
    if not values:
        return f"  {name:<10} n=0"
    return (
        f"  {name:<10} n={len(values):<5} p50 {statistics.median(values):6.2f} s  p95 {percentile(values, 0.95):6.2f} s"
        f"  p99 {percentile(values, 0.99):6.2f} s  max {max(values):6.2f} s"
    )


CHECKS = """
import json
from django.db.models import Count, Q, Sum
from exercises.models import ExerciseProgress, Submission
from exercises.tasks import requeue_lost
ids = set(json.loads({ids!r}))
rows = Submission.objects.all()
graded_counts = dict(
    rows.filter(status="graded", quiz_attempt__isnull=True).values_list("learner").annotate(n=Count("id"))
)
attempts = dict(ExerciseProgress.objects.values_list("learner").annotate(n=Sum("attempts")))
print(json.dumps({{
    "stored": rows.count(),
    "missing": len(ids - set(rows.values_list("pk", flat=True))),
    "stuck": rows.pending().count(),
    "errors": rows.filter(status="error").count(),
    "claimed_twice": rows.filter(claims__gt=1).count(),
    "resent": rows.filter(dispatches__gt=1).count(),
    "attempts_mismatch": sum(1 for learner, n in graded_counts.items() if attempts.get(learner) != n),
    "lanes": dict(rows.values_list("lane").annotate(n=Count("id"))),
}}))
"""


def check_database(stack: Stack, tallies: list[Tally], wait_seconds: float) -> dict:
    import json

    ids = sorted({pk for tally in tallies for pk in tally.ids})
    deadline = time.monotonic() + wait_seconds
    while True:
        report = json.loads(stack.django(CHECKS.format(ids=json.dumps(ids))).strip().splitlines()[-1])
        if report["stuck"] == 0 or time.monotonic() > deadline:
            return report
        time.sleep(2)


# One machine plays the whole class from one address, so the per-address limits meant for
# the internet are lifted, and the per-learner one too: the clicker submits 53 times in a row.
# The pending limit (5 per learner) still holds the flooders.
UNLIMITED = {"RATE_LIMIT_SUBMIT": "100000/m", "RATE_LIMIT_SUBMIT_IP": "100000/m", "RATE_LIMIT_LOGIN_IP": "100000/m"}


def browser_clicks(stack: Stack, clicks: int) -> list[float]:
    """Click Submit on a small exercise in Chromium and time click -> verdict on screen."""
    from playwright.sync_api import sync_playwright

    answer = ANSWERS["correct"]
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto(f"{stack.url}/accounts/login/")
        page.fill("input[name=username]", "clicker")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{stack.url}/")
        page.goto(f"{stack.url}/exercises/{SLUG}/")
        page.wait_for_function("() => window.ace && document.querySelector('.ace_editor')")
        page.evaluate("code => ace.edit(document.querySelector('.ace_editor')).setValue(code, 1)", answer)
        for index in range(clicks + 3):  # the first clicks warm the stack up and are not counted
            page.evaluate("() => { const r = document.getElementById('result'); r.innerHTML = ''; }")
            # Timed inside the page, from the click to the verdict's node being in the document.
            seconds = page.evaluate(
                """() => new Promise(resolve => {
                    const result = document.getElementById('result');
                    const started = performance.now();
                    new MutationObserver((_, observer) => {
                        if (result.querySelector('.verdict')) { observer.disconnect(); resolve((performance.now() - started) / 1000); }
                    }).observe(result, {childList: true, subtree: true});
                    setTimeout(() => resolve(-1), 30000);
                    document.querySelector('form.answer button[type=submit]').click();
                })"""
            )
            if seconds < 0:
                shown = page.inner_text("#result") or page.inner_text("#form-errors")
                raise RuntimeError(f"click {index + 1}: no verdict within 30 s; the page shows {shown!r:.300}")
            if index >= 3:
                times.append(seconds)
            page.wait_for_timeout(100)
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="30 learners, 300 submissions: under 3 minutes on 2 cores")
    parser.add_argument("--learners", type=int)
    parser.add_argument("--submissions", type=int)
    parser.add_argument("--flooders", type=int, default=3)
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"))
    parser.add_argument("--probe-every", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--browser", action="store_true", help="also time 50 clicks in Chromium on the idle stack")
    parser.add_argument("--browser-only", action="store_true", help="only the Chromium clicks")
    parser.add_argument("--clicks", type=int, default=50)
    parser.add_argument("--verbose", action="store_true", help="show the servers' logs")
    options = parser.parse_args()
    options.learners = options.learners or (30 if options.quick else 50)
    options.submissions = options.submissions or (300 if options.quick else 1000)

    names = [f"learner{i}" for i in range(options.learners)] + [f"flooder{i}" for i in range(options.flooders)]
    names += ["probe", "clicker"]
    with Stack(modules=["activations"], env=UNLIMITED, quiet=not options.verbose) as stack:
        stack.create_learners(names, PASSWORD)
        print(f"stack: {stack.url}, {stack.engine}, gunicorn ASGI x{stack.web_workers}, Celery code + answers workers")
        if options.browser or options.browser_only:
            clicks = browser_clicks(stack, options.clicks)
            print(
                f"browser: click to verdict, {len(clicks)} clicks: p50 {statistics.median(clicks) * 1000:.0f} ms, "
                f"p95 {percentile(clicks, 0.95) * 1000:.0f} ms, max {max(clicks) * 1000:.0f} ms"
            )
            if options.browser_only:
                return
        print(
            f"replaying: {options.learners} learners, {options.submissions} submissions, think "
            f"{options.think[0]:g}-{options.think[1]:g} s, {options.flooders} flooders, a probe every {options.probe_every:g} s"
        )
        class_tally, flood_tally, probe_tally, elapsed = asyncio.run(replay(stack.url, options))
        report = check_database(stack, [class_tally, flood_tally, probe_tally], wait_seconds=120)

    submitted = len(class_tally.ids)
    print(f"\nreplayed in {elapsed:.0f} s; POST to graded, seen by the client:")
    for kind in MIX:
        print(line(kind, class_tally.times[kind]))
    print(line("probe", probe_tally.times["probe"]))
    print(f"  flooders   {len(flood_tally.ids)} submissions accepted, {flood_tally.refused} refused (too many pending)")
    print(
        f"database: {report['stored']} stored, {report['stuck']} not final, {report['errors']} platform errors, "
        f"{report['claimed_twice']} claimed twice, {report['resent']} messages sent twice, "
        f"{report['attempts_mismatch']} learners whose attempts differ from their graded submissions; lanes {report['lanes']}"
    )
    lost = report["missing"] + sum(t.accepted_without_id for t in (class_tally, flood_tally, probe_tally))
    errors = sum(t.server_errors for t in (class_tally, flood_tally, probe_tally))
    graded = class_tally.times["correct"] + class_tally.times["wrong"]
    print(
        f"load: submissions {submitted}, lost {lost}, stuck {report['stuck']}, 5xx {errors}, "
        f"graded p95 {percentile(graded, 0.95):.2f} s, probe p95 {percentile(probe_tally.times['probe'], 0.95):.2f} s"
    )


if __name__ == "__main__":
    main()
