"""The first stage of reading typed math: Unicode normalised to ASCII, then cut by hand into
tokens (numbers, names, operators), each name split and classified against what the exercise
declares. Nothing here evaluates anything; `parsing` builds the tree from these tokens."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .vocabulary import (
    CONSTANTS,
    FUNCTIONS,
    GREEK,
    MAX_DIGITS,
    MAX_TOKENS,
    REFUSED_NAMES,
    Context,
    ParseError,
    operator_refusal,
    suggest_names,
)

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
SYMBOL_CHARS = {
    "×": "*", "·": "*", "⋅": "*", "∙": "*", "∗": "*", "÷": "/", "−": "-", "–": "-", "—": "-",
    "√": "sqrt", "π": "pi", "∞": "oo", "（": "(", "）": ")",
}  # fmt: skip

# Letters that look like Latin ones but are not: a learner pasting from a PDF gets told why.
LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC")


def normalise(text: str) -> str:
    """Unicode to the ASCII the tokenizer reads; look-alike letters raise a ParseError."""
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺":
            end = index
            while end < len(text) and text[end] in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺":
                end += 1
            out.append("^(" + text[index:end].translate(SUPERSCRIPTS) + ")")
            index = end
            continue
        if char in SYMBOL_CHARS:
            out.append(SYMBOL_CHARS[char])
        elif char in GREEK:
            out.append(f" {GREEK[char]} ")
        elif ord(char) < 128:
            out.append(char)
        else:
            folded = unicodedata.normalize("NFKC", char)
            if folded.isascii() and folded.strip():
                out.append(folded)
            elif char.isspace():
                out.append(" ")
            else:
                name = unicodedata.name(char, "")
                position = len("".join(out))
                if char.isalpha() and name.startswith(LOOKALIKE_SCRIPTS):
                    raise ParseError(
                        f"The letter {char!r} is a {name.split()[0].title()} letter that looks like a Latin one.",
                        position,
                        "".join(out) + char + text[index + 1 :],
                        "Retype it on a Latin keyboard (pasted text often carries such letters).",
                    )
                raise ParseError(
                    f"The character {char!r} ({name.title() or 'unknown'}) is not understood.",
                    position,
                    "".join(out) + char + text[index + 1 :],
                )
        index += 1
    return "".join(out)


TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<number>\d+(?:\.\d*)?|\.\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|==|<=|>=|[-+*/^()\[\]{},=!])|(?P<bad>.)"
)


@dataclass
class Token:
    kind: str  # num, sym, const, func, op
    text: str
    position: int


def tokenize(text: str, context: Context) -> list[Token]:
    tokens: list[Token] = []
    known = context.known_names()
    for match in TOKEN.finditer(text):
        kind, value, position = match.lastgroup, match.group(), match.start()
        if kind == "space":
            continue
        if kind == "bad":
            hint = "Names may not contain dots or quotes." if value in "'\".:" else None
            raise ParseError(f"The character {value!r} is not understood here.", position, text, hint)
        if kind == "number":
            digits = value.replace(".", "")
            if len(digits) > MAX_DIGITS:
                raise ParseError(
                    f"That number has {len(digits)} digits; at most {MAX_DIGITS} are allowed.", position, text
                )
            tokens.append(Token("num", value, position))
        elif kind == "op":
            if value in ("==", "<=", ">="):
                raise ParseError(f"{value!r} is not allowed; write an equation with a single '='.", position, text)
            tokens.append(Token("op", "**" if value == "^" else value, position))
        else:
            tokens.extend(_segment(value, position, text, known, context))
        if len(tokens) > MAX_TOKENS:
            raise ParseError("The answer is too long to read.", position, text)
    return tokens


def _classify(name: str, position: int, context: Context) -> Token:
    if name in context.functions or name in FUNCTIONS:
        return Token("func", name, position)
    if context.variables is not None and name in {v.replace("_", "") for v in context.variables}:
        return Token("sym", _declared_name(name, context), position)
    if name in CONSTANTS:
        return Token("const", name, position)
    return Token("sym", name, position)


def _declared_name(stripped: str, context: Context) -> str:
    for variable in context.variables or []:
        if variable.replace("_", "") == stripped:
            return variable
    return stripped


def _segment(word: str, position: int, text: str, known: set[str], context: Context) -> list[Token]:
    """Split a run of letters into names: declared names and known functions win, then letters."""
    stripped = word.replace("_", "")
    if word.startswith("__") or not stripped:
        raise ParseError(f"{word!r} is not a name this exercise knows.", position, text)
    if stripped == "lambda" and "lam" in known:
        stripped = "lam"
    elif stripped == "lam" and "lam" not in known and "lambda" in known:
        stripped = "lambda"
    if stripped in known:
        return [_classify(stripped, position, context)]
    if stripped in REFUSED_NAMES:
        raise ParseError(operator_refusal(stripped), position, text)
    lowered = stripped.lower()
    if lowered in FUNCTIONS and lowered not in known - set(FUNCTIONS):
        return [Token("func", lowered, position)]
    tokens = []
    index = 0
    while index < len(stripped):
        best = max((name for name in known if stripped.startswith(name, index)), key=len, default=None)
        if best is None:
            best = stripped[index]
            if best.isdigit():
                end = index
                while end < len(stripped) and stripped[end].isdigit():
                    end += 1
                previous = stripped[:index]
                raise ParseError(
                    f"{word!r} is not a name this exercise knows.",
                    position + index,
                    text,
                    f"Did you mean {previous}^{stripped[index:end]} or {previous}*{stripped[index:end]}?",
                    unknown=[word],
                )
        tokens.append(_classify(best, position + index, context))
        index += len(best)
    if context.variables is not None:
        declared = set(context.variables)
        unknown = [token for token in tokens if token.kind == "sym" and token.text not in declared]
        if unknown:
            meaningful = any(
                token.kind == "func" or (token.kind == "sym" and token.text in declared) for token in tokens
            )
            name = unknown[0].text if meaningful else word
            raise _unknown_name(name, unknown[0].position if name != word else position, text, context)
    return tokens


def _unknown_name(name: str, position: int, text: str, context: Context) -> ParseError:
    variables = ", ".join(context.variables or []) or "none"
    close = suggest_names(name, context)
    suggestion = f"Did you mean {' or '.join(close)}?" if close else None
    return ParseError(
        f"Unknown name {name!r}. This exercise's variables: {variables}.", position, text, suggestion, unknown=[name]
    )
