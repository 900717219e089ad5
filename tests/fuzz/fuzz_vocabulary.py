"""Fuzz target 4: the vocabulary parsers (``lexdesk.domain.vocabulary``): ``parse_kind``,
``parse_warrant``, ``parse_outcome`` and ``parse_choice`` over every enumeration, ``parse_action``
and ``parse_actions``, and what reads a parsed action (``disclosed_field``, ``a_or_an``).
The first byte picks the parser; the rest is the text (or, for ``parse_actions``, a list of
texts, each a word of the vocabulary changed a little or arbitrary text).

The contract, checked against a model written without the parsers: a word is accepted exactly
when it is one of the enumeration's values (or one of ``ALL_ACTIONS``), and comes back as
itself; anything else is an ``InvalidInput`` naming it. ``parse_actions`` accepts a list whose
every non-blank entry, stripped, is an action, and at least one is; it answers those actions
once each, in the order first given.
"""

from __future__ import annotations

from enum import StrEnum

import atheris
from _support import WORDS, run

with atheris.instrument_imports(include=["lexdesk"]):
    from lexdesk.domain.errors import InvalidInput
    from lexdesk.domain.vocabulary import (
        ALL_ACTIONS,
        DISCLOSABLE_FIELDS,
        DISCLOSE_PREFIX,
        PHYSICAL_ACTIONS,
        AgencyKind,
        InstrumentKind,
        InstrumentStatus,
        Outcome,
        Warrant,
        a_or_an,
        disclosed_field,
        parse_action,
        parse_actions,
        parse_choice,
        parse_kind,
        parse_outcome,
        parse_warrant,
    )

ENUMS: tuple[type[StrEnum], ...] = (
    AgencyKind,
    InstrumentKind,
    Warrant,
    InstrumentStatus,
    Outcome,
)
PARSERS = {InstrumentKind: parse_kind, Warrant: parse_warrant, Outcome: parse_outcome}
#: The model of the vocabulary: the words as the documentation lists them.
ACTIONS = frozenset(
    {"hold", "notify_release", "transfer"} | {f"disclose:{field}" for field in DISCLOSABLE_FIELDS}
)
VOCABULARY = sorted(
    {*WORDS, *ALL_ACTIONS, *(member.value for enum in ENUMS for member in enum)} - {""}
)


def some_word(fdp: atheris.FuzzedDataProvider) -> str:
    """A word of the vocabulary, perhaps changed a little, or arbitrary text."""
    how = fdp.ConsumeIntInRange(0, 5)
    if how == 0:
        return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 40))  # surrogates included
    word = fdp.PickValueInList(VOCABULARY)
    if how == 1:
        return word
    if how == 2:
        padding = fdp.PickValueInList([" ", "\t", "\n", "\u00a0", "\u2003", "\x00", "\u200b"])
        return padding + word if fdp.ConsumeBool() else word + padding
    if how == 3:
        return word.upper() if fdp.ConsumeBool() else word.title()
    if how == 4 and word:
        at = fdp.ConsumeIntInRange(0, len(word) - 1)
        return word[:at] + fdp.ConsumeUnicodeNoSurrogates(1) + word[at + 1 :]
    return DISCLOSE_PREFIX + fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 20))


def check_choice(enum: type[StrEnum], text: str) -> None:
    values = {member.value for member in enum}
    parser = PARSERS.get(enum)
    try:
        member = parser(text) if parser else parse_choice(enum, text, "word")
    except InvalidInput as refused:
        message = str(refused)
    else:
        assert text in values and isinstance(member, enum) and member.value == text, (enum, text)
        return
    assert text not in values and repr(text) in message, (enum, text, message)


def check_action(text: str) -> None:
    try:
        action = parse_action(text)
    except InvalidInput:
        assert text not in ACTIONS, text
        return
    assert action == text and action in ACTIONS, text
    field = disclosed_field(action)
    if action in PHYSICAL_ACTIONS:
        assert field is None, action
    else:
        assert field in DISCLOSABLE_FIELDS and action == DISCLOSE_PREFIX + field, action
    phrase = a_or_an(action)
    assert phrase.split(" ", 1)[0] in ("a", "an"), phrase


def check_actions(texts: list[str]) -> None:
    given = [text.strip() for text in texts if text.strip()]
    try:
        actions = parse_actions(texts)
    except InvalidInput:
        assert not given or not set(given) <= ACTIONS, texts
        return
    assert given and set(given) <= ACTIONS, texts
    assert actions == tuple(dict.fromkeys(given)), (texts, actions)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    fdp = atheris.FuzzedDataProvider(data[1:])
    mode = data[0] % (len(ENUMS) + 2)
    if mode < len(ENUMS):
        check_choice(ENUMS[mode], some_word(fdp))
    elif mode == len(ENUMS):
        check_action(some_word(fdp))
    else:
        check_actions([some_word(fdp) for _ in range(fdp.ConsumeIntInRange(0, 6))])


if __name__ == "__main__":
    seeds = [bytes([mode]) + bytes(range(i, i + 24)) for mode in range(7) for i in (0, 40, 80)]
    run(test_one_input, seeds)
