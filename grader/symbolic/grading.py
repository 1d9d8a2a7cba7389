"""The trusted side of symbolic checks: fill in the learner's parameters, send texts to a
checker process, and turn its JSON reply into a GradingResult or a preview. Nothing here
imports SymPy or reads a learner's text as anything but a string."""

from __future__ import annotations

import logging

from ..results import CaseResult, GradingResult
from . import params, pool

log = logging.getLogger(__name__)

TOO_COMPLEX = "Your answer is too complex to check. Simplify it and submit again."


def answer_spec_for(spec: dict, context: dict | None) -> dict:
    """The exercise's `answer` block with this learner's parameters filled in."""
    params_spec = spec.get("params") or {}
    values = {**params.lowest(params_spec), **((context or {}).get("params") or {})}
    return params.substitute(spec.get("answer") or {}, values)


def grade_symbolic(spec: dict, answer: str, context: dict | None = None) -> GradingResult:
    reply = pool.run({"op": "grade", "spec": answer_spec_for(spec, context), "answer": answer})
    return result_from_reply(reply)


def result_from_reply(reply: dict) -> GradingResult:
    status = reply.get("status")
    if status == "too-complex":
        return GradingResult.rejected(TOO_COMPLEX)
    if status == "spec-error":
        log.error("Symbolic exercise misconfigured: %s", reply.get("message"))
        return GradingResult.platform_error(str(reply.get("message")))
    if status != "ok":
        log.error("The expression checker answered %s: %s", status, reply.get("message"))
        return GradingResult.platform_error(str(reply.get("message") or "The expression checker failed."))
    if not reply.get("readable"):
        error = reply.get("error") or {}
        return GradingResult(
            status="graded",
            score=0.0,
            message=f"We could not read your answer: {error.get('message', '')}",
            cases=[CaseResult(name="reading your answer", passed=False, message=error_markdown(error))],
            details={"error": error},
        )
    cases = [
        CaseResult(name=entry["name"], passed=bool(entry["passed"]), message=entry["message"], got=entry.get("got"))
        for entry in reply.get("entries") or []
    ]
    correct = bool(reply.get("correct"))
    if reply.get("form") and cases:
        cases = [CaseResult(name="form", passed=False, message=str(reply.get("message")))]
    hint = reply.get("hint")
    if hint:
        cases.append(
            CaseResult(
                name="hint", passed=False, message=str(hint), diagnosis=str(reply.get("mistake") or "known mistake")
            )
        )
    message = str(reply.get("message") or "")
    if reply.get("undecided"):
        message = TOO_COMPLEX if len(cases) <= 1 else message
    return GradingResult(
        status="graded",
        score=1.0 if correct else 0.0,
        message=message,
        cases=cases,
        diagnoses=[str(reply.get("mistake") or "known mistake")] if hint else [],
        details={"parsed": reply.get("parsed"), "latex": reply.get("latex"), "kind": reply.get("kind")},
    )


def error_markdown(error: dict) -> str:
    """The message, the input with a caret under the problem, and the suggested fix."""
    parts = [str(error.get("message", ""))]
    if error.get("caret"):
        parts.append("```\n" + str(error["caret"]).replace("```", "'''") + "\n```")
    if error.get("suggestion"):
        parts.append(str(error["suggestion"]))
    return "\n\n".join(parts)


def preview(spec: dict, text: str, *, latex: bool | None = None) -> dict:
    """How the text will be read: {ok, parsed, latex, variables, kind} or {ok: False, error}."""
    reply = pool.run(
        {"op": "preview", "spec": answer_spec_for(spec, None), "answer": text, "latex": latex}, wall_seconds=3
    )
    if reply.get("status") == "too-complex":
        return {"ok": False, "error": {"message": "This is too complex to read."}}
    if reply.get("status") != "ok":
        return {"ok": False, "error": {"message": "The preview is not available right now; you can still submit."}}
    return reply


def check_expression(
    expected: str,
    answer: str,
    *,
    variables: list[str] | None = None,
    positive: list[str] | None = None,
    latex: bool | None = None,
) -> dict:
    spec = {"variables": variables, "assumptions": {"positive": positive or []}}
    return pool.run({"op": "compare", "spec": spec, "expected": expected, "answer": answer, "latex": latex})
