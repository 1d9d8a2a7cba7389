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
    """A page row's cells, coloured by score, each a link to the learner's work with its exact
    score as its accessible name and tooltip. Built as one string: the template engine would
    take far longer for thousands of cells."""
    base = reverse("teaching:cohort_learner", args=[cohort.pk, row.learner_id])
    parts = []
    for cell, column in zip(row.cells, columns, strict=True):
        label = escape(f"{row.username}, {column.label}: {cell.label}")
        level = "n" if cell.intensity < 0 else f"s{cell.intensity}"
        parts.append(f'<td class="c {level}"><a href="{base}?{escape(column.key.replace(":", "="))}" title="{label}" aria-label="{label}"></a></td>')
    return mark_safe("".join(parts))


@register.simple_tag
def grid_cells(row, exercises) -> str:
    """A learner's row of the cohort grid. Built as one string: 60,000 cells through the
    template engine take seconds, this takes milliseconds."""
    parts = []
    for cell, exercise in zip(row.cells, exercises, strict=True):
        if cell is None:
            parts.append(f'<td class="cell none" title="{escape(exercise.slug)}: not started"></td>')
            continue
        attempts, best, solved_at, _last = cell
        state = "solved" if solved_at else "attempted"
        parts.append(
            f'<td class="cell {state}" title="{escape(exercise.slug)}: {state}, {attempts} attempt{"s" if attempts != 1 else ""}, '
            f'best {round(100 * best)}%"></td>'
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
