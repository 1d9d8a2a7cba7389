"""A graded submission as plain text (terminals), HTML (notebooks: the server's sanitised
HTML with the math as MathML) and Markdown with $math$ (front ends that render it)."""

from __future__ import annotations

from html import escape


def _percent(score) -> str:
    return "–" if score is None else f"{round(100 * score)}%"


def headline(submission: dict) -> str:
    if submission["pending"]:
        return f"… still {submission['status']}; see {submission['url']}"
    feedback = submission.get("feedback") or {}
    if submission["status"] == "error":
        return f"⚠ Could not be graded: {feedback.get('message', '')} It does not count against you; submit again."
    if submission["correct"]:
        return f"✓ Correct. Score {_percent(submission['score'])}"
    return f"✗ {feedback.get('message', 'Not correct.')} Score {_percent(submission['score'])}"


def _shown_cases(feedback: dict) -> list[dict]:
    return [case for case in feedback.get("cases", []) if not case["passed"] or case["message"]]


def as_text(submission: dict) -> str:
    lines = [headline(submission)]
    feedback = submission.get("feedback") or {}
    for case in _shown_cases(feedback):
        mark = "✓" if case["passed"] else "✗"
        hidden = " (hidden)" if case["hidden"] else ""
        lines.append(f"  {mark} {case['name']}{hidden}: {case['message']}".rstrip(": "))
        if case.get("diagnosis"):
            lines.append(f"      likely mistake: {case['diagnosis']}")
        for label in ("input", "expected", "got"):
            if case.get(label):
                lines.append(f"      {label}: " + case[label].replace("\n", "\n        "))
        if case.get("traceback"):
            lines.append("      " + case["traceback"].rstrip().replace("\n", "\n      "))
    if feedback.get("traceback"):
        lines.append(feedback["traceback"].rstrip())
    if feedback.get("stdout"):
        lines.append("printed:\n" + feedback["stdout"].rstrip())
    return "\n".join(lines)


def as_html(submission: dict) -> str:
    feedback = submission.get("feedback") or {}
    colour = "#1a7f37" if submission.get("correct") else "#b42318" if not submission["pending"] else "#555"
    parts = [
        f'<div class="mlcourse-feedback"><p style="font-weight:bold;color:{colour}">{escape(headline(submission))}</p>'
    ]
    cases = _shown_cases(feedback)
    if cases:
        parts.append("<ol>")
        for case in cases:
            mark = "✓" if case["passed"] else "✗"
            hidden = " <em>(hidden)</em>" if case["hidden"] else ""
            # message_html is the server's rendering: sanitised HTML, math as MathML.
            parts.append(
                f"<li><strong>{mark} {escape(case['name'])}</strong>{hidden}<div>{case.get('message_html', '')}</div>"
            )
            if case.get("diagnosis"):
                parts.append(f"<div>Likely mistake: {escape(case['diagnosis'])}</div>")
            for label in ("input", "expected", "got"):
                if case.get(label):
                    parts.append(f"<div>{label.capitalize()}:<pre>{escape(case[label])}</pre></div>")
            if case.get("traceback"):
                parts.append(f"<pre>{escape(case['traceback'])}</pre>")
            parts.append("</li>")
        parts.append("</ol>")
    if feedback.get("traceback"):
        parts.append(f"<pre>{escape(feedback['traceback'])}</pre>")
    if feedback.get("stdout"):
        parts.append(f"<details><summary>Printed output</summary><pre>{escape(feedback['stdout'])}</pre></details>")
    parts.append(f'<p><a href="{escape(submission["url"])}" target="_blank">On the course site</a></p></div>')
    return "".join(parts)


def as_markdown(submission: dict) -> str:
    feedback = submission.get("feedback") or {}
    lines = [f"**{headline(submission)}**", ""]
    for case in _shown_cases(feedback):
        mark = "✓" if case["passed"] else "✗"
        lines.append(f"- {mark} **{case['name']}**: {case['message']}")
    return "\n".join(lines)


def bundle(submission: dict) -> dict:
    """A MIME bundle for IPython's display(..., raw=True)."""
    return {
        "text/plain": as_text(submission),
        "text/html": as_html(submission),
        "text/markdown": as_markdown(submission),
    }
