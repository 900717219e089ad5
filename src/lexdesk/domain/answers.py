"""What an answer does, and whether the law lets it: the actions an answer performs, the
contradictions between them and the rule engine's evaluation, and the override that alone lets
a contradicting answer through.

An answer performs actions: ``complied`` every requested one, ``partially_complied`` those it
names, ``declined`` and ``contested`` none. Performing an action the evaluation marks
``prohibited`` (or gives no basis for: a conflict), or not performing one it marks ``required``,
contradicts the law; such an answer is refused unless it carries an override: a reason of at
least ``OVERRIDE_MIN_REASON`` characters, given by someone with the legal role. The override is
kept with the determination, with every contradiction it overrode.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lexdesk.domain.errors import InvalidInput, LexdeskError, NotPermitted
from lexdesk.domain.limits import REASON_MAX, within
from lexdesk.domain.rules import phrasebook
from lexdesk.domain.vocabulary import (
    DISCLOSE_PREFIX,
    Outcome,
    a_or_an,
    disclosed_field,
)

OVERRIDE_MIN_REASON = 20
#: The statuses that give an action a legal basis.
LAWFUL_TO_PERFORM = frozenset({"permitted", "required"})


@dataclass(frozen=True)
class Contradiction:
    """One action the answer treats otherwise than the law, as the evaluation said."""

    action: str
    status: str  # what the evaluation said: prohibited, required, conflict
    rule: str
    citation: str
    performed: bool

    def describe(self) -> str:
        by = f"{self.rule} ({self.citation})" if self.rule else "the evaluation"
        if self.performed:
            verb = "prohibits" if self.status == "prohibited" else "gives no basis for"
            return f"it performs {self.action}, which {by} {verb}"
        return f"it does not perform {self.action}, which {by} requires"

    def words(self) -> str:
        """The contradiction as a sentence for the person at the desk."""
        subject = phrasebook.action(self.action)
        under = f"under {self.citation}" if self.citation else "under the evaluation"
        if not self.performed:
            return f"{subject} is required {under}, but this answer does not do it."
        if self.status == "prohibited":
            return f"{subject} is prohibited {under}, but this answer does it."
        return (
            f"{subject} has no basis in the evaluation (the provisions in force disagree), but "
            "this answer does it."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "status": self.status,
            "rule": self.rule,
            "citation": self.citation,
            "performed": self.performed,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Contradiction:
        return cls(
            data["action"], data["status"], data["rule"], data["citation"], data["performed"]
        )


@dataclass(frozen=True)
class Override:
    """A reasoned departure from the evaluation, by a lawyer of the answering agency."""

    reason: str
    by: str
    at: datetime
    contradictions: tuple[Contradiction, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "by": self.by,
            "at": self.at.isoformat(),
            "contradictions": [c.to_json() for c in self.contradictions],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Override:
        return cls(
            reason=data["reason"],
            by=data["by"],
            at=datetime.fromisoformat(data["at"]),
            contradictions=tuple(Contradiction.from_json(c) for c in data["contradictions"]),
        )


class LawContradicted(LexdeskError):
    """An answer that performs what the law prohibits or refuses what it requires, without an
    override."""

    def __init__(self, outcome: str, found: tuple[Contradiction, ...]) -> None:
        reasons = "; ".join(c.describe() for c in found)
        super().__init__(
            f"a {outcome} answer contradicts the evaluation: {reasons}. Answer as the law "
            f"says, or, where counsel departs from it, add an override with the reason "
            f"({OVERRIDE_MIN_REASON} characters or more), given by a user with the legal role"
        )
        self.contradictions = found


def performed_actions(
    outcome: Outcome,
    asked: tuple[str, ...],
    named: tuple[str, ...],
    released: tuple[str, ...],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The actions an answer performs and the fields it releases, from what was asked and what
    the answer names (``named`` actions, ``released`` fields). Refuses an answer that does
    not say what a partial answer performed, or releases something it did not perform."""
    asked_fields = tuple(f for f in (disclosed_field(a) for a in asked) if f)
    _only_asked(asked, named, asked_fields, released)
    if outcome is Outcome.COMPLIED:
        if released and set(released) != set(asked_fields):
            raise InvalidInput(
                "complied performs every requested action and releases every requested field "
                f"({', '.join(asked_fields)}): answer partially_complied to release fewer"
            )
        return asked, asked_fields
    if outcome is Outcome.PARTIALLY_COMPLIED:
        performed = tuple(a for a in asked if a in named or disclosed_field(a) in released)
        if not performed:
            raise InvalidInput(
                "a partial answer names what it performed: the actions (e.g. notify_release) "
                "and the fields released"
            )
        if len(performed) == len(asked):
            raise InvalidInput("that performs every requested action: answer complied")
        return performed, tuple(f for f in asked_fields if DISCLOSE_PREFIX + f in performed)
    if named or released:
        raise InvalidInput(
            f"{a_or_an(outcome.value)} answer performs nothing: remove the actions and fields"
        )
    return (), ()


def _only_asked(
    asked: tuple[str, ...],
    named: tuple[str, ...],
    asked_fields: tuple[str, ...],
    released: tuple[str, ...],
) -> None:
    extra = [a for a in named if a not in asked] + [f for f in released if f not in asked_fields]
    if extra:
        raise InvalidInput(
            f"{', '.join(extra)} was not asked for: an answer performs only requested actions "
            f"({', '.join(asked)})"
        )


def contradictions(
    asked: tuple[str, ...], performed: tuple[str, ...], evaluated: Mapping[str, Any]
) -> tuple[Contradiction, ...]:
    """Where an answer that performs ``performed`` of ``asked`` departs from the evaluation
    (``evaluated``: the engine's result per action, with status, rule and citation)."""
    found = []
    for action in asked:
        decided = evaluated.get(action) or {}
        status = str(decided.get("status", "conflict"))
        done = action in performed
        if (done and status not in LAWFUL_TO_PERFORM) or (not done and status == "required"):
            rule, citation = str(decided.get("rule") or ""), str(decided.get("citation") or "")
            found.append(Contradiction(action, status, rule, citation, done))
    return tuple(found)


def checked_override(
    reason: str | None, by: str, is_lawyer: bool, at: datetime, found: tuple[Contradiction, ...]
) -> Override | None:
    """The override an answer needs (None when it contradicts nothing), or a refusal saying
    what is missing."""
    text = within((reason or "").strip(), REASON_MAX, "the override's reason")
    if not found:
        if text:
            raise InvalidInput(
                "the answer agrees with the evaluation: there is nothing to override; "
                "remove the override"
            )
        return None
    if len(text) < OVERRIDE_MIN_REASON and reason is not None:
        raise InvalidInput(
            f"an override needs a reason of at least {OVERRIDE_MIN_REASON} characters "
            f"(got {len(text)}): say why counsel departs from the evaluation"
        )
    if not text:
        return None
    if not is_lawyer:
        raise NotPermitted(
            f"only a user with the legal role may override the evaluation; {by} has not: "
            "ask the agency's counsel"
        )
    return Override(text, by, at, found)
