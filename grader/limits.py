"""Sizes of typed answers that the checkers accept. The answer form refuses anything beyond
them with the same numbers, so that an answer is never taken only for its checker to refuse
it, which would cost the learner an attempt. Light on purpose: the web process imports it
without SymPy."""

SYMBOLIC_MAX_CHARS = 2000  # an expression, equation or matrix (a matrix of long entries fits)
NUMERIC_MAX_CHARS = 10_000  # a number or a list of them, spaces removed
NUMERIC_MAX_DEPTH = 8  # brackets inside brackets: a matrix is 2, a stack of matrices 3
