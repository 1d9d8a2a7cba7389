from functools import lru_cache

from django import template
from django.utils.safestring import mark_safe

from exercises.access import is_instructor as _is_instructor
from exercises.markdown import render_markdown_or_escape

register = template.Library()


@lru_cache(maxsize=2048)
def _rendered(text: str) -> str:
    return render_markdown_or_escape(text)


@register.filter
def markdown(text: str) -> str:
    """Render trusted-format Markdown with math; the output is sanitised by nh3."""
    return mark_safe(_rendered(text or ""))


@register.filter
def markdown_inline(text: str) -> str:
    """Markdown with math for a short phrase (a choice's text): without the enclosing <p>."""
    html = _rendered(text or "").strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return mark_safe(html)


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)}%"


@register.filter
def any_hidden(cases: list[dict]) -> bool:
    return any(case.get("hidden") for case in cases)


@register.filter
def picked_texts(answer: str, exercise) -> list[str]:
    """A chosen answer's choices, as their texts (Markdown with math); empty for kinds whose
    answer is shown as typed."""
    return exercise.answer_kind.answer_texts(exercise.spec, answer)


@register.filter
def is_instructor(user) -> bool:
    return _is_instructor(user)


@register.filter
def when(value) -> str:
    """A moment in the viewer's time zone (set from their browser), with the zone named."""
    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    if value is None:
        return "–"
    return date_format(timezone.localtime(value), "Y-m-d H:i T")
