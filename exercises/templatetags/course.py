from functools import lru_cache

from django import template
from django.utils.safestring import mark_safe

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
def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)}%"


@register.filter
def any_hidden(cases: list[dict]) -> bool:
    return any(case.get("hidden") for case in cases)
