"""What the API sends and accepts. Every response is one of these; every error is `ErrorOut`."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class ErrorBody(Schema):
    status: int = Field(description="The HTTP status, repeated for clients that only keep the body.")
    code: str = Field(description="A stable machine-readable code: not_found, unauthorized, invalid, rate_limited, ...")
    message: str = Field(description="What went wrong, in a sentence for a person.")
    details: list[dict] | None = Field(None, description="For `invalid`: one entry per field that was refused.")


class ErrorOut(Schema):
    error: ErrorBody


class TokenOut(Schema):
    name: str
    hint: str
    created_at: datetime


class MeOut(Schema):
    username: str
    is_instructor: bool
    token: TokenOut


class ModuleOut(Schema):
    slug: str
    title: str
    summary: str
    order: int
    exercises: int = Field(description="Published problem-set exercises.")
    solved: int
    attempted: int
    quiz_questions: int
    url: str


class ExerciseSummary(Schema):
    slug: str
    title: str
    kind: str
    difficulty: str
    points: int
    topics: list[str]
    attempts: int
    best_score: float
    solved: bool
    url: str


class ModuleDetail(ModuleOut):
    lesson_html: str = Field(description="The lesson, math as MathML, sanitised.")
    problem_set: list[ExerciseSummary]


class ChoiceOut(Schema):
    index: int
    text: str = Field(description="Markdown with $math$.")
    text_html: str


class ExerciseOut(Schema):
    slug: str
    title: str
    module: str
    kind: str = Field(description="code, symbolic, numeric or choice.")
    difficulty: str
    points: int
    topics: list[str]
    version: int
    statement: str = Field(description="Markdown with $math$, with this learner's parameters filled in.")
    statement_html: str = Field(description="The statement rendered: math as MathML, sanitised.")
    entry_point: str | None = Field(None, description="code: the function to write.")
    signature: str | None = Field(None, description="code: the function's signature, e.g. sigmoid(z).")
    starter: str | None = Field(None, description="code: the starter source.")
    variables: list[str] | None = Field(None, description="symbolic: the symbols an answer may use.")
    choices: list[ChoiceOut] | None = Field(None, description="choice: the options; answer with their indices.")
    multiple: bool | None = Field(None, description="choice: whether several options may be picked.")
    answer_format: str = Field(description="How to write an answer to this exercise.")
    url: str


class SubmitIn(Schema):
    answer: str = Field(
        description="code: Python source; symbolic: an expression such as 2*x*y + 3*y^2; numeric: a number or a "
        "list; choice: the index, or a JSON list of indices such as [0, 2]."
    )


class CaseOut(Schema):
    name: str
    passed: bool
    hidden: bool
    message: str
    message_html: str = Field(description="The message rendered: math as MathML, sanitised.")
    input: str | None
    expected: str | None
    got: str | None
    max_error: float | None
    where: list[int] | None
    diagnosis: str | None
    traceback: str | None


class FeedbackOut(Schema):
    message: str
    message_html: str
    correct: bool
    cases: list[CaseOut]
    diagnoses: list[str]
    stdout: str
    traceback: str | None


class SubmissionOut(Schema):
    id: int
    exercise: str
    status: str = Field(description="queued, running, graded, or error (a platform failure that does not count).")
    pending: bool
    submitted_at: datetime
    finished_at: datetime | None
    score: float | None
    correct: bool
    feedback: FeedbackOut | None = Field(None, description="Once graded or failed.")
    url: str


class ExerciseProgressOut(Schema):
    exercise: str
    module: str
    attempts: int
    best_score: float
    solved: bool
    solved_at: datetime | None
    last_submitted_at: datetime


class ModuleProgressOut(Schema):
    module: str
    title: str
    exercises: int
    solved: int
    attempted: int


class ProgressOut(Schema):
    modules: list[ModuleProgressOut]
    exercises: list[ExerciseProgressOut]


class CohortOut(Schema):
    id: int
    name: str
    learners: int
    created_at: datetime


class CellOut(Schema):
    exercise: str
    attempts: int
    best_score: float
    solved: bool


class LearnerRowOut(Schema):
    username: str
    solved: int
    attempted: int
    last_active: datetime | None
    exercises: list[CellOut] = Field(description="Only the exercises the learner has attempted.")


class ModuleSummaryOut(Schema):
    title: str
    exercises: int
    completion: float
    average_score: float


class CohortReportOut(CohortOut):
    exercises: list[str]
    modules: list[ModuleSummaryOut]
    learners_report: list[LearnerRowOut]
    inactive: list[str] = Field(description="Learners with no activity in the last `inactive_days` days.")


class CountOut(Schema):
    name: str
    learners: int


class ExerciseReportOut(Schema):
    cohort: int
    exercise: str
    learners: int
    attempted: int
    solved: int
    success_rate: float | None
    median_attempts: float | None
    median_seconds_to_solve: float | None
    failing_cases: list[CountOut]
    mistakes: list[CountOut]
