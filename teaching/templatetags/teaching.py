from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def score_shade(best: float) -> int:
    """The cell's shade on the grid's heat scale: 0 for [0, 10%), ..., 9 for [90%, 100%), 10 for 100%."""
    return min(10, max(0, int(best * 10 + 1e-9)))


@register.simple_tag
def grid_cells(row, exercises) -> str:
    """A learner's row of the cohort grid, each cell shaded by the best score (a heat map;
    teaching.css has the eleven shades). Built as one string: 60,000 cells through the
    template engine take seconds, this takes milliseconds."""
    parts = []
    for cell, exercise in zip(row.cells, exercises, strict=True):
        if cell is None:
            parts.append(f'<td class="cell none" title="{escape(exercise.slug)}: not started"></td>')
            continue
        attempts, best, solved_at, _last = cell
        state = "solved" if solved_at else "attempted"
        parts.append(
            f'<td class="cell {state} s{score_shade(best)}" title="{escape(exercise.slug)}: {state}, {attempts} attempt{"s" if attempts != 1 else ""}, '
            f'best {round(100 * best)}%"></td>'
        )
    return mark_safe("".join(parts))


@register.simple_tag
def score_legend() -> str:
    """The grid's heat scale: not started, then eleven shades from 0% to 100%."""
    shades = "".join(f'<span class="swatch s{shade}" title="best {10 * shade}%"></span>' for shade in range(11))
    return mark_safe(f'<span class="swatch none"></span> not started &nbsp; best score 0% {shades} 100%')


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
