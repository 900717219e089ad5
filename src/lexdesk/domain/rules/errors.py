"""The rule engine's errors. Each one is a LexdeskError, so every entry point reports it as a
one-line message instead of a stack trace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lexdesk.domain.errors import LexdeskError

if TYPE_CHECKING:
    from lexdesk.domain.rules.explain import Evaluation


class PackError(LexdeskError):
    """A pack or vector file breaks the schema. The message starts with ``file:line: key:``
    so the author can go straight to the offending line."""


class NoRuleInForce(LexdeskError):
    """No rule in force decides an action. Never answered with a default: the pack lacks a
    provision for that date, kind or action, and a lawyer has to supply one."""


class ConflictError(LexdeskError):
    """Two rules that are both in force, unrelated by ``exception_to`` or layer precedence,
    disagree. Carries the full evaluation (outcome ``conflict``) so it can still be shown."""

    def __init__(self, message: str, evaluation: Evaluation) -> None:
        super().__init__(message)
        self.evaluation = evaluation
