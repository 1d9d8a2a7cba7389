"""Reports on a cohort, built for 2,000 learners × 150 exercises in a fixed number of queries.

- `dashboard`: the cohort page. One column per module (its exercises when a module is opened),
  one page of learners at a time, sorted and filtered on the server, score intensity per cell,
  and the learners who need attention (stuck on an exercise).
- `grid`: every learner × every exercise, for the CSV export and the API.
- `gradebook`: one row per learner, one column per module and per quiz, as LMSs import it.
- `hardest`: the exercises most of the cohort's learners have not solved.
- `exercise_report`: how the cohort fares on one exercise.

Everything reads the progress tables, recomputed from the submissions on every grading, never
the submissions themselves: `ModuleProgress` (a row per learner and module) for the dashboard's
totals, `ExerciseProgress` (a row per learner and exercise tried) for the rest.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from exercises.models import STUCK_ATTEMPTS, Exercise, ExerciseProgress, Module, ModuleProgress, QuizAttempt

PAGE_SIZE = 50
STRUGGLING_ATTEMPTS = STUCK_ATTEMPTS


# --- the dashboard ---------------------------------------------------------------------------


@dataclass
class DashboardFilter:
    """What the instructor asked for, read strictly from the query string: a value that cannot
    be understood falls back to the default instead of failing."""

    STATUSES = {
        "all": "Everyone",
        "struggling": f"Stuck on an exercise ({STRUGGLING_ATTEMPTS}+ attempts, unsolved)",
        "inactive": "Not active lately",
        "not-started": "Not started",
        "done": "Solved everything",
    }
    SORTS = {"name", "solved", "score", "active"}

    module: str = ""  # an opened module: its exercises become the columns
    status: str = "all"
    sort: str = "name"  # name, solved, score, active, or a column: module:<slug> / exercise:<slug>
    descending: bool = False
    page: int = 1
    days: int = 7  # "not active lately": no submission in this many days

    @classmethod
    def from_query(cls, query) -> DashboardFilter:
        found = cls()
        found.module = query.get("module", "")[:100]
        found.status = query.get("status", "all") if query.get("status") in cls.STATUSES else "all"
        sort = query.get("sort", "name")[:120]
        found.sort = sort if sort in cls.SORTS or sort.startswith(("module:", "exercise:")) else "name"
        found.descending = query.get("order") == "desc"
        found.page = _positive_int(query.get("page"), 1, 100_000)
        found.days = _positive_int(query.get("days"), 7, 3650)
        return found

    def query(self, **changes) -> str:
        """This filter as a query string, with some values changed (for links)."""
        from django.utils.http import urlencode

        values = {
            "module": self.module, "status": self.status, "sort": self.sort,
            "order": "desc" if self.descending else "asc", "page": self.page, "days": self.days,
        }  # fmt: skip
        values.update(changes)
        return urlencode({key: value for key, value in values.items() if value not in ("", None)})


def _positive_int(raw, default: int, largest: int) -> int:
    return min(int(raw), largest) if isinstance(raw, str) and raw.isdecimal() and int(raw) > 0 else default


@dataclass
class Column:
    key: str  # module:<slug> or exercise:<slug>
    label: str
    title: str
    module: str
    module_id: int
    exercise_ids: list[int]


@dataclass
class Cell:
    score: float | None  # average best score over the column's exercises; None: not started
    solved: int
    attempted: int
    exercises: int
    attempts: int | None = None  # for one exercise's cell: its attempts

    @property
    def intensity(self) -> int:
        """0..10, for the cell's colour class; -1 when nothing was tried."""
        return -1 if self.score is None else min(10, round(10 * self.score))

    @property
    def label(self) -> str:
        if self.score is None:
            return "not started"
        if self.attempts is not None:
            state = "solved" if self.solved else "not solved yet"
            return f"best score {round(100 * self.score)}%, {self.attempts} attempt{'s' if self.attempts != 1 else ''}, {state}"
        return f"average best score {round(100 * self.score)}%, {self.solved} of {self.exercises} solved"


@dataclass
class LearnerSummary:
    learner_id: int
    username: str
    joined_at: datetime
    solved: int = 0
    attempted: int = 0
    score_sum: float = 0.0
    stuck: int = 0  # exercises with STRUGGLING_ATTEMPTS+ attempts and no solve
    last_active: datetime | None = None
    sort_value: float | None = None
    cells: list[Cell] = field(default_factory=list)

    def score(self, exercises: int) -> float:
        return self.score_sum / exercises if exercises else 0.0


@dataclass
class Dashboard:
    cohort: object
    filter: DashboardFilter
    modules: list[dict]
    columns: list[Column]
    rows: list[LearnerSummary]
    total_learners: int
    matching: int
    pages: int
    exercises: int
    stuck_learners: list[LearnerSummary]

    @property
    def has_previous(self) -> bool:
        return self.filter.page > 1

    @property
    def has_next(self) -> bool:
        return self.filter.page < self.pages


def dashboard(cohort, wanted: DashboardFilter, now: datetime | None = None) -> Dashboard:
    """The page, from a few aggregates: per learner (2,000 rows) and per module, read from the
    small ModuleProgress table when the cohort follows the whole course (from ExerciseProgress
    when it has its own selection), and the cells of one page of learners. No query returns a
    row per learner and exercise of the whole cohort."""
    now = now or timezone.now()
    learners = _learner_summaries(cohort)
    modules = list(Module.objects.order_by("order", "slug").values("id", "slug", "title"))
    exercises = list(cohort.exercises().values("id", "slug", "title", "module_id"))
    module_of = {row["id"]: row["module_id"] for row in exercises}
    in_cohort = cohort.enrollments.values("learner_id")
    progress = ExerciseProgress.objects.filter(learner_id__in=in_cohort, exercise_id__in=list(module_of))
    if cohort.selections.exists():  # the cohort's own exercises: totals from ExerciseProgress
        totals = ModuleProgress.totals(progress.values("learner_id", module_id=F("exercise__module_id")))
        totals = totals.values("learner_id", "module_id", "n_attempted", "n_solved", "n_stuck", "total", "last")
        per_learner = ModuleProgress.totals(progress.values("learner_id"))
        per_module = ModuleProgress.totals(progress.values(module_id=F("exercise__module_id")))
    else:  # the whole course: the totals ModuleProgress keeps
        kept = ModuleProgress.objects.filter(learner_id__in=in_cohort)
        totals = kept.annotate(
            n_attempted=F("attempted"),
            n_solved=F("solved"),
            n_stuck=F("stuck"),
            total=F("score_sum"),
            last=F("last_active"),
        )
        summed = {
            "n_attempted": Sum("attempted"), "n_solved": Sum("solved"), "n_stuck": Sum("stuck"),
            "total": Sum("score_sum"), "last": Max("last_active"),
        }  # fmt: skip
        per_learner = kept.values("learner_id").annotate(**summed)
        per_module = kept.values("module_id").annotate(**summed)
    for row in per_learner:
        summary = learners.get(row["learner_id"])
        if summary is not None:
            summary.attempted, summary.solved, summary.stuck = row["n_attempted"], row["n_solved"], row["n_stuck"]
            summary.score_sum, summary.last_active = row["total"] or 0.0, row["last"]
    per_module = {row["module_id"]: {"solved": row["n_solved"], "score": row["total"]} for row in per_module}

    columns = _columns(cohort, modules, exercises, wanted.module)
    chosen = [summary for summary in learners.values() if _matches(summary, wanted, len(exercises), now)]
    _sort(chosen, wanted, columns, progress, totals, len(exercises))
    pages = max(1, math.ceil(len(chosen) / PAGE_SIZE))
    wanted.page = min(wanted.page, pages)
    rows = chosen[(wanted.page - 1) * PAGE_SIZE : wanted.page * PAGE_SIZE]
    _fill_cells(rows, columns, progress, totals)

    counts = Counter(module_of.values())
    module_rows = []
    for module in modules:
        n = counts.get(module["id"], 0)
        if not n:
            continue
        slots = n * len(learners) or 1
        stats = per_module.get(module["id"]) or {"solved": 0, "score": 0.0}
        module_rows.append(
            {
                **module,
                "exercises": n,
                "completion": (stats["solved"] or 0) / slots,
                "average_score": (stats["score"] or 0.0) / slots,
            }
        )
    stuck = sorted((s for s in learners.values() if s.stuck), key=lambda s: (-s.stuck, s.username))[:10]
    return Dashboard(
        cohort=cohort, filter=wanted, modules=module_rows, columns=columns, rows=rows, total_learners=len(learners),
        matching=len(chosen), pages=pages, exercises=len(exercises), stuck_learners=stuck,
    )  # fmt: skip


def _learner_summaries(cohort) -> dict[int, LearnerSummary]:
    return {
        learner_id: LearnerSummary(learner_id, username, joined_at)
        for learner_id, username, joined_at in cohort.enrollments.order_by("learner__username").values_list(
            "learner_id", "learner__username", "joined_at"
        )
    }


def _columns(cohort, modules: list[dict], exercises: list[dict], opened: str) -> list[Column]:
    by_module = defaultdict(list)
    for row in exercises:
        by_module[row["module_id"]].append(row)
    columns = []
    for module in modules:
        rows = by_module.get(module["id"])
        if not rows:
            continue
        if module["slug"] == opened:
            columns += [
                Column(f"exercise:{row['slug']}", row["slug"], row["title"], module["title"], module["id"], [row["id"]])
                for row in rows
            ]
        else:
            label = f"{len(rows)} exercises"
            columns.append(
                Column(
                    f"module:{module['slug']}",
                    module["title"],
                    label,
                    module["title"],
                    module["id"],
                    [r["id"] for r in rows],
                )
            )
    return columns


def _matches(summary: LearnerSummary, wanted: DashboardFilter, exercises: int, now: datetime) -> bool:
    if wanted.status == "struggling":
        return summary.stuck > 0
    if wanted.status == "inactive":
        return (summary.last_active or summary.joined_at) < now - timedelta(days=wanted.days)
    if wanted.status == "not-started":
        return summary.attempted == 0
    if wanted.status == "done":
        return exercises > 0 and summary.solved == exercises
    return True


def _sort(chosen, wanted: DashboardFilter, columns: list[Column], progress, totals, exercises: int) -> None:
    column = next((c for c in columns if c.key == wanted.sort), None)
    if column is not None:
        if column.key.startswith("module:"):
            sums = dict(totals.filter(module_id=column.module_id).values_list("learner_id", "total"))
            for summary in chosen:
                total = sums.get(summary.learner_id)
                summary.sort_value = None if total is None else (total or 0.0) / len(column.exercise_ids)
        else:
            best = dict(progress.filter(exercise_id__in=column.exercise_ids).values_list("learner_id", "best_score"))
            for summary in chosen:
                summary.sort_value = best.get(summary.learner_id)
        # Learners who have not started it come last, whichever the direction.
        started = sorted(
            (s for s in chosen if s.sort_value is not None),
            key=lambda s: (s.sort_value, s.username),
            reverse=wanted.descending,
        )
        chosen[:] = started + [s for s in chosen if s.sort_value is None]
        return
    keys = {
        "solved": lambda s: (s.solved, s.username),
        "score": lambda s: (s.score(exercises), s.username),
        "active": lambda s: (s.last_active or s.joined_at, s.username),
    }
    chosen.sort(key=keys.get(wanted.sort, lambda s: s.username), reverse=wanted.descending)


def _fill_cells(rows: list[LearnerSummary], columns: list[Column], progress, totals) -> None:
    """The page's learners' cells: at most PAGE_SIZE learners' module totals, and an opened
    module's exercises, in one query each."""
    if not rows:
        return
    page = [row.learner_id for row in rows]
    by_learner_module = {
        (row["learner_id"], row["module_id"]): row
        for row in totals.filter(learner_id__in=page).values(
            "learner_id", "module_id", "n_attempted", "n_solved", "total"
        )
    }
    opened = [pk for column in columns if column.key.startswith("exercise:") for pk in column.exercise_ids]
    cells = defaultdict(dict)
    if opened:
        solved = ExpressionWrapper(Q(solved_at__isnull=False), output_field=BooleanField())
        for learner_id, exercise_id, attempts, best, is_solved in (
            progress.filter(learner_id__in=page, exercise_id__in=opened)
            .annotate(is_solved=solved)
            .values_list("learner_id", "exercise_id", "attempts", "best_score", "is_solved")
        ):
            cells[learner_id][exercise_id] = (attempts, best, is_solved)
    for row in rows:
        for column in columns:
            n = len(column.exercise_ids)
            if column.key.startswith("module:"):
                totals = by_learner_module.get((row.learner_id, column.module_id))
                if totals is None:
                    row.cells.append(Cell(None, 0, 0, n))
                else:
                    row.cells.append(Cell((totals["total"] or 0.0) / n, totals["n_solved"], totals["n_attempted"], n))
                continue
            found = cells[row.learner_id].get(column.exercise_ids[0])
            if found is None:
                row.cells.append(Cell(None, 0, 0, 1))
            else:
                attempts, best, is_solved = found
                row.cells.append(Cell(best, int(bool(is_solved)), 1, 1, attempts))


def hardest(cohort, limit: int = 8) -> list[dict]:
    """The exercises most of the cohort's learners tried and have not solved, with how many
    tried. One pass over the cohort's progress rows (a row per learner and exercise tried:
    130,000 at 2,000 learners), which is why the dashboard asks for it separately (htmx)
    rather than making the grid wait for it."""
    exercises = {row["id"]: row for row in cohort.exercises().values("id", "slug", "title")}
    counts = (
        _of_learners(cohort)
        .values("exercise_id")
        .annotate(tried=Count("id"), unsolved=Count("id", filter=Q(solved_at__isnull=True)))
        .order_by()
    )
    rows = [
        {**exercises[row["exercise_id"]], "tried": row["tried"], "unsolved": row["unsolved"]}
        for row in counts
        if row["unsolved"] and row["exercise_id"] in exercises
    ]
    rows.sort(key=lambda row: (-row["unsolved"], row["slug"]))
    return rows[:limit]


def _of_learners(cohort):
    """The progress rows of the cohort's learners, on every exercise: the cohort's own exercises
    are picked out afterwards, in Python. Narrowed to them in SQL, SQLite would probe the index
    for each learner and exercise (300,000 probes) instead of reading each learner's entries of
    the (learner, exercise, solved_at) index once."""
    return ExerciseProgress.objects.filter(learner_id__in=cohort.enrollments.values("learner_id"))


# --- every cell, for exports -----------------------------------------------------------------


@dataclass
class GridExercise:
    pk: int
    slug: str
    title: str
    module: str


@dataclass
class GridRow:
    learner_id: int
    username: str
    last_active: datetime | None
    cells: list = field(default_factory=list)  # (attempts, best score, solved_at, last) or None
    solved: int = 0
    attempted: int = 0


@dataclass
class ModuleSummary:
    title: str
    exercises: int
    completion: float
    average_score: float


@dataclass
class CohortGrid:
    cohort: object
    inactive_days: int
    exercises: list[GridExercise] = field(default_factory=list)
    rows: list[GridRow] = field(default_factory=list)
    modules: list[ModuleSummary] = field(default_factory=list)
    inactive: list[GridRow] = field(default_factory=list)


def grid(cohort, *, inactive_days: int = 7, now: datetime | None = None) -> CohortGrid:
    """Learners × the cohort's exercises, in a fixed number of queries."""
    now = now or timezone.now()
    learners = list(
        cohort.enrollments.order_by("learner__username").values_list("learner_id", "learner__username", "joined_at")
    )
    modules = list(Module.objects.all())
    exercises = list(cohort.exercises().values_list("id", "slug", "title", "module_id"))
    cells = {
        (learner_id, exercise_id): (attempts, best, solved_at, last)
        for learner_id, exercise_id, attempts, best, solved_at, last in ExerciseProgress.objects.filter(
            learner__enrollments__cohort=cohort, exercise_id__in=[row[0] for row in exercises]
        ).values_list("learner_id", "exercise_id", "attempts", "best_score", "solved_at", "last_submitted_at")
    }
    result = CohortGrid(cohort=cohort, inactive_days=inactive_days)
    module_titles = {module.pk: module.title for module in modules}
    result.exercises = [
        GridExercise(pk, slug, title, module_titles[module_id]) for pk, slug, title, module_id in exercises
    ]
    per_module = defaultdict(lambda: {"exercises": 0, "solved": 0, "score": 0.0})
    for exercise in exercises:
        per_module[exercise[3]]["exercises"] += 1
    last_active = {}
    module_of = {pk: module_id for pk, _slug, _title, module_id in exercises}
    for (learner_id, exercise_id), (_attempts, best, solved_at, last) in cells.items():
        last_active[learner_id] = max(last_active.get(learner_id, last), last)
        stats = per_module[module_of[exercise_id]]
        stats["solved"] += solved_at is not None
        stats["score"] += best
    for learner_id, username, joined_at in learners:
        row = GridRow(learner_id=learner_id, username=username, last_active=last_active.get(learner_id))
        for pk, *_ in exercises:
            cell = cells.get((learner_id, pk))
            row.cells.append(cell)
            if cell and cell[2] is not None:
                row.solved += 1
            elif cell:
                row.attempted += 1
        result.rows.append(row)
        if (row.last_active or joined_at) < now - timedelta(days=inactive_days):
            result.inactive.append(row)
    for module in modules:
        stats = per_module.get(module.pk)
        if not stats or not stats["exercises"]:
            continue
        slots = stats["exercises"] * len(learners) or 1
        result.modules.append(
            ModuleSummary(module.title, stats["exercises"], stats["solved"] / slots, stats["score"] / slots)
        )
    return result


def gradebook(cohort) -> tuple[list[str], list[list]]:
    """(columns, rows) for an LMS gradebook import: per module the average best score over its
    exercises (an exercise not tried scores 0) and per quiz the best attempt, in percent."""
    exercises = list(cohort.exercises().values_list("id", "module_id"))
    modules = [m for m in Module.objects.order_by("order", "slug") if any(mid == m.pk for _, mid in exercises)]
    quiz_modules = list(
        Module.objects.filter(exercises__in_quiz=True, exercises__published=True).distinct().order_by("order", "slug")
    )
    count = Counter(mid for _, mid in exercises)
    module_of = dict(exercises)
    learners = list(
        cohort.enrollments.order_by("learner__username").values_list(
            "learner_id", "learner__username", "learner__email"
        )
    )
    sums = defaultdict(float)
    for learner_id, exercise_id, best in ExerciseProgress.objects.filter(
        learner__enrollments__cohort=cohort, exercise_id__in=module_of
    ).values_list("learner_id", "exercise_id", "best_score"):
        sums[learner_id, module_of[exercise_id]] += best
    quiz_best = {
        (row["learner_id"], row["module_id"]): row["best"]
        for row in QuizAttempt.objects.filter(learner__enrollments__cohort=cohort, finished_at__isnull=False)
        .values("learner_id", "module_id")
        .annotate(best=Max("score"))
    }
    columns = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    columns += [module.title for module in modules] + [
        f"{module.quiz_title or module.title} (quiz)" for module in quiz_modules
    ]
    rows = [["Points Possible", "", "", "", ""] + [100] * (len(modules) + len(quiz_modules))]
    for learner_id, username, _email in learners:
        row = [username, "", "", username, cohort.name]
        row += [round(100 * sums[learner_id, module.pk] / count[module.pk], 1) for module in modules]
        row += [
            "" if (learner_id, module.pk) not in quiz_best else round(100 * quiz_best[learner_id, module.pk], 1)
            for module in quiz_modules
        ]
        rows.append(row)
    return columns, rows


# --- one exercise ------------------------------------------------------------------------------


@dataclass
class ExerciseReport:
    exercise: Exercise
    learners: int
    attempted: int = 0
    solved: int = 0
    attempts_to_solve: list[int] = field(default_factory=list)
    attempts_unsolved: list[int] = field(default_factory=list)  # attempts so far of who has not solved it
    best_scores: list[float] = field(default_factory=list)  # one per learner who tried
    times_to_solve: list[timedelta] = field(default_factory=list)
    failing_cases: list[tuple[str, int]] = field(default_factory=list)
    mistakes: list[tuple[str, int]] = field(default_factory=list)

    @property
    def success_rate(self) -> float | None:
        return self.solved / self.attempted if self.attempted else None

    @property
    def median_attempts(self) -> float | None:
        return statistics.median(self.attempts_to_solve) if self.attempts_to_solve else None

    @property
    def median_time(self) -> timedelta | None:
        return statistics.median(self.times_to_solve) if self.times_to_solve else None

    def attempts_histogram(self) -> list[tuple[str, int, float]]:
        """(label, learners, share of the tallest bar) for 1, 2, ..., 9, 10+ attempts."""
        counts = Counter(min(n, 10) for n in self.attempts_to_solve)
        top = max(counts.values(), default=1)
        return [(f"{n}+" if n == 10 else str(n), counts[n], counts[n] / top) for n in range(1, 11) if counts[n]]


def exercise_report(cohort, exercise: Exercise) -> ExerciseReport:
    """How the cohort fares on one exercise: a row per learner who tried it (ExerciseProgress
    keeps their attempts to solve, the cases they failed and the mistakes diagnosed)."""
    report = ExerciseReport(exercise=exercise, learners=cohort.enrollments.count())
    failing, mistakes = Counter(), Counter()
    for (
        first,
        solved_at,
        attempts,
        attempts_to_solve,
        best_score,
        failed_cases,
        diagnosed,
    ) in ExerciseProgress.objects.filter(
        exercise=exercise, learner_id__in=cohort.enrollments.values("learner_id")
    ).values_list(
        "first_submitted_at", "solved_at", "attempts", "attempts_to_solve", "best_score", "failed_cases", "mistakes"
    ):
        report.attempted += 1
        if solved_at is not None:
            report.solved += 1
            report.attempts_to_solve.append(attempts_to_solve or 1)
            report.times_to_solve.append(solved_at - first)
        else:
            report.attempts_unsolved.append(attempts)
        report.best_scores.append(best_score or 0.0)
        failing.update(failed_cases or [])
        mistakes.update(diagnosed or [])
    report.failing_cases = failing.most_common(10)
    report.mistakes = mistakes.most_common(10)
    return report


@dataclass
class CompletionHistory:
    learners: int
    days: list = field(default_factory=list)  # dates
    modules: list[tuple[str, list[float]]] = field(default_factory=list)  # (title, completion on each day)


def completion_over_time(cohort) -> CompletionHistory:
    """Each module's completion (solved learner × exercise slots of the cohort's exercises: its
    own selection, or else every published problem-set exercise, over its present learners) at
    the end of every day since the first solve. The solves are counted per exercise and day in
    the database (days in the viewer's time zone), so the rows read are exercises × days, not
    one per solve."""
    learners = cohort.enrollments.count()
    modules = dict(Module.objects.order_by("order", "slug").values_list("id", "title"))
    exercises = dict(cohort.exercises().values_list("id", "module_id"))
    totals = Counter(exercises.values())
    per_day = (
        _of_learners(cohort)
        .filter(solved_at__isnull=False)
        .annotate(day=TruncDate("solved_at", tzinfo=timezone.get_current_timezone()))
        .values_list("exercise_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_module = defaultdict(Counter)
    for exercise_id, day, n in per_day:
        if exercise_id in exercises:
            by_module[exercises[exercise_id]][day] += n
    history = CompletionHistory(learners=learners)
    if not by_module or not learners:
        return history
    first, last = min(min(days) for days in by_module.values()), timezone.localdate()
    history.days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    for module_id, title in modules.items():
        slots = totals.get(module_id, 0) * learners
        if not slots:
            continue
        running, series = 0, []
        for day in history.days:
            running += by_module[module_id].get(day, 0)
            series.append(running / slots)
        history.modules.append((title, series))
    return history
