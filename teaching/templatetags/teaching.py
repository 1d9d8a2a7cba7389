from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def board_url(wanted, **changes) -> str:
    """A link to the cohort dashboard with some of its filter's values changed."""
    return "?" + wanted.query(**changes)


@register.simple_tag
def board_sort_url(wanted, key: str) -> str:
    """Sort by `key`; the same header again flips the order. Names start ascending, scores descending."""
    flipped = "asc" if wanted.descending else "desc"
    order = flipped if wanted.sort == key else ("asc" if key == "name" else "desc")
    return "?" + wanted.query(sort=key, order=order, page=1)


@register.simple_tag
def dashboard_cells(row, columns, cohort) -> str:
    """A page row's cells, coloured by score, each a link to the learner's work whose title is
    its exact score: the accessible name, the tooltip on hover, and shown on keyboard focus by
    teaching.css (one attribute, not an aria-label too: it is most of the page's size). Built
    as one string: the template engine would take far longer for thousands of cells."""
    base = reverse("teaching:cohort_learner", args=[cohort.pk, row.learner_id])
    parts = []
    for cell, column in zip(row.cells, columns, strict=True):
        label = escape(f"{row.username}, {column.label}: {cell.label}")
        level = "n" if cell.intensity < 0 else f"s{cell.intensity}"
        parts.append(
            f'<td class="c {level}"><a href="{base}?{escape(column.key.replace(":", "="))}" title="{label}"></a></td>'
        )
    return mark_safe("".join(parts))


@register.filter
def duration(value) -> str:
    if value is None:
        return "–"
    seconds = int(value.total_seconds())
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
