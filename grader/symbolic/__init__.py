"""Symbolic answers: a safe reader for typed math (text or LaTeX), equivalence checks that
combine sampling with simplification, form checks and common-mistake hints, all run in a
small pool of limited checker processes (see pool.py and worker.py)."""

from .grading import check_expression, grade_symbolic, preview

__all__ = ["check_expression", "grade_symbolic", "preview"]
