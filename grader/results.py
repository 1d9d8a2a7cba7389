"""What grading returns: plain dataclasses that serialise to the JSON kept on a submission.

A crash, a timeout or a syntax error in the learner's code is a *result* (status "graded",
score 0, with a message), never an exception. Status "error" is reserved for failures of the
platform itself; such a submission does not count against the learner.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

GRADED = "graded"
ERROR = "error"


@dataclass
class CaseResult:
    name: str
    passed: bool
    message: str = ""
    hidden: bool = False
    input: str | None = None  # a readable rendering of the arguments (visible cases only)
    expected: str | None = None
    got: str | None = None
    max_error: float | None = None
    where: list[int] | None = None
    diagnosis: str | None = None  # a tag such as "transposed" when a common slip explains it
    traceback: str | None = None
    output: str | None = None  # what the learner's code printed during this case
    error_type: str | None = None  # the exception's class name, when the function raised
    line: int | None = None  # the line of the learner's code that raised
    stopped: str | None = None  # "time", "memory", "output", "crash" or "skipped" when the case did not finish
    contract: str | None = None  # the statement's rule the case broke: "dtype", "inputs_unchanged" or "fp_errors"

    def public(self) -> dict[str, Any]:
        """The case as a learner may see it. A hidden case shows pass or fail and the kind of
        mistake only: never its input, the values, what was printed, or an error message or
        traceback (both can carry the input, e.g. "index 7 is out of bounds for size 5")."""
        data = asdict(self)
        if self.hidden:
            data.update(input=None, expected=None, got=None, where=None, max_error=None, traceback=None)
            data.update(output=None, message=self._hidden_message())
        return data

    def _hidden_message(self) -> str:
        if self.passed:
            return "Correct."
        if self.stopped or self.contract:
            return self.message  # written without the case's data
        if self.error_type:
            where = f" on line {self.line}" if self.line else ""
            return f"Your function raised {self.error_type}{where}."
        text = self.message.lower()
        if "shape" in text or "dimension" in text:
            return "The result has the wrong shape."
        if "nan" in text or "inf" in text:
            return "The result has NaN or infinite values where numbers were expected, or the other way round."
        if "expected a" in text or "got a" in text or "dtype" in text or "type" in text:
            return "The result has the wrong type."
        return "The values are wrong."


@dataclass
class GradingResult:
    status: str  # GRADED or ERROR
    score: float = 0.0
    message: str = ""
    cases: list[CaseResult] = field(default_factory=list)
    stdout: str = ""
    diagnoses: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    # What the learner's function returned on the visible cases that have a plot, as one
    # `wire` message (grader/plots.py), stored apart from the feedback; never a hidden case's.
    returned: bytes | None = field(default=None, repr=False)

    @property
    def correct(self) -> bool:
        return self.status == GRADED and self.score >= 1.0 - 1e-9

    @classmethod
    def platform_error(cls, message: str) -> GradingResult:
        return cls(status=ERROR, message=message)

    @classmethod
    def rejected(cls, message: str, **details: Any) -> GradingResult:
        """The answer was graded and earns nothing: it did not compile, timed out, ..."""
        return cls(status=GRADED, score=0.0, message=message, details=details)

    @classmethod
    def from_cases(cls, cases: list[CaseResult], *, stdout: str = "", **details: Any):
        passed = sum(case.passed for case in cases)
        score = passed / len(cases) if cases else 0.0
        diagnoses = sorted({case.diagnosis for case in cases if case.diagnosis})
        if not cases:
            message = "There were no test cases to run."
        elif passed == len(cases):
            message = f"All {len(cases)} cases passed."
        else:
            message = f"{passed} of {len(cases)} cases passed."
        return cls(
            status=GRADED,
            score=score,
            message=message,
            cases=cases,
            stdout=stdout,
            diagnoses=diagnoses,
            details=details,
        )

    # Cases that are not a test of the answer: a hint about a known mistake, how a typed answer
    # was read, a derivation compared with the code without counting.
    NOT_TESTS = frozenset({"hint", "reading your answer", "your derivation (not scored)"})

    def failed_case_names(self) -> list[str]:
        return [case.name for case in self.cases if not case.passed and case.name not in self.NOT_TESTS]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["returned"]  # binary, and kept in a column of its own (Submission.returned)
        data["correct"] = self.correct
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradingResult:
        data = dict(data)
        data.pop("correct", None)
        data["cases"] = [CaseResult(**case) for case in data.get("cases", [])]
        return cls(**data)
