"""The registry of answer kinds. Everything that differs between kinds of exercise (how the
file's spec is read and checked, how an answer is graded, what validates an authoring, the
learner's answer field and the instructor's authoring fields) is a method of that kind's
class; the rest of the platform looks the kind up here and never branches on its name.

A new kind is one module defining an AnswerKind subclass and calling `register` on it."""

from __future__ import annotations

from .base import AnswerKind, ContentError, Fields, Group, Spec, is_number_tree
from .choice import ChoiceKind
from .code import CodeKind
from .numeric import NumericKind
from .symbolic import SymbolicKind

__all__ = [
    "AnswerKind",
    "ContentError",
    "Fields",
    "Group",
    "Spec",
    "get",
    "is_number_tree",
    "names",
    "register",
    "registered",
    "unregister",
]

_KINDS: dict[str, AnswerKind] = {}


class UnknownKind(KeyError):
    pass


def register(kind: AnswerKind) -> AnswerKind:
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def get(name: str) -> AnswerKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownKind(name) from None


def names() -> list[str]:
    return list(_KINDS)


def registered() -> list[AnswerKind]:
    return list(_KINDS.values())


def preparing_cases() -> list[str]:
    """The kinds whose versions have prepared cases (code)."""
    return [kind.name for kind in _KINDS.values() if kind.prepares_cases]


def choices() -> list[tuple[str, str]]:
    return [(kind.name, kind.label) for kind in _KINDS.values()]


for _kind in (CodeKind(), SymbolicKind(), NumericKind(), ChoiceKind()):
    register(_kind)
