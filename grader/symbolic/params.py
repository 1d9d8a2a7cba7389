"""Per-learner parameters: drawn from a seed of (learner, exercise), so a learner sees the same
variant on every visit and different learners get different ones."""

from __future__ import annotations

import hashlib
import random
import re

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def draw(params_spec: dict, seed_text: str) -> dict[str, int]:
    """`a: [2, 9]` draws an integer from 2..9 inclusive; `a: [1, 2, 5]`... (more than two
    entries) picks one of the listed values."""
    seed = int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    values = {}
    for name in sorted(params_spec):
        choices = params_spec[name]
        if isinstance(choices, list) and len(choices) == 2 and all(isinstance(v, int) for v in choices):
            values[name] = rng.randint(min(choices), max(choices))
        elif isinstance(choices, list) and choices:
            values[name] = rng.choice(choices)
        else:
            values[name] = choices
    return values


def lowest(params_spec: dict) -> dict:
    """The variant used when no learner is involved (the `grade` command, validation)."""
    return {
        name: (min(choices) if isinstance(choices, list) and choices else choices)
        for name, choices in params_spec.items()
    }


def highest(params_spec: dict) -> dict:
    return {
        name: (max(choices) if isinstance(choices, list) and choices else choices)
        for name, choices in params_spec.items()
    }


def substitute(value, params: dict):
    """Fill {{name}} placeholders in a string or in the strings of nested lists and dicts.

    Numbers go in wrapped in brackets when negative, so `x - {{a}}` stays `x - (-3)`."""
    if isinstance(value, str):

        def fill(match):
            name = match.group(1)
            if name not in params:
                return match.group(0)
            number = params[name]
            return f"({number})" if isinstance(number, int | float) and number < 0 else str(number)

        return PLACEHOLDER.sub(fill, value)
    if isinstance(value, list):
        return [substitute(item, params) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, params) for key, item in value.items()}
    return value
