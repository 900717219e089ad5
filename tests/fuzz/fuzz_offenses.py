"""Fuzz target 5: the offense-code parsers. ``persons.check_offense`` (is a code canonical, as a
person's record must write it: "NY PL 160.15", "US 8 USC 1326", "NY PL 110/125.25"),
``rules.request.normalise_offense`` (the form every lookup compares) and ``Table.listed`` (which
entry of a rule pack's offense table a code falls under on a date: the entry itself, a
subdivision of it such as ``CA PC 245(A)(1)``, or an attempt such as ``NY PL 110/160.15``),
over every table of the shipped packs. Codes are the tables' own, changed a little (a
subdivision, an attempt prefix, case, spacing, a character replaced), or arbitrary text.

The contract, checked against models written without the parsers' regular expressions:
``check_offense`` returns exactly the codes of the canonical form, unchanged, and refuses every
other text with ``InvalidInput``; ``normalise_offense`` is idempotent and leaves one space
between words, upper case, and keeps a canonical code canonical; ``listed`` never raises,
answers only an entry in force on the date that the code names (itself, a subdivision or an
attempt the table counts) with a level of ``LEVELS`` or none, and finds every entry in force
when given its own code or a subdivision of it.
"""

from __future__ import annotations

import re
import string
from datetime import date, timedelta

import atheris
from _support import run

with atheris.instrument_imports(include=["lexdesk"]):
    from lexdesk.adapters.rule_packs import load_catalog
    from lexdesk.domain.errors import InvalidInput
    from lexdesk.domain.persons import Charge, check_offense
    from lexdesk.domain.rules.request import LEVELS, normalise_offense
    from lexdesk.domain.rules.tables import Table, in_force

TABLES: list[Table] = []
for _pack in load_catalog():
    for _version in _pack.versions:
        for _table in _version.tables.values():
            if _table not in TABLES:  # the same table, carried from version to version
                TABLES.append(_table)
CODES = sorted({entry.offense for table in TABLES for entry in table.entries})
SECTIONS = sorted({s for t in TABLES if t.inchoate for s in t.inchoate.sections})
UPPER, DIGITS = frozenset(string.ascii_uppercase), frozenset(string.digits)
SECTION_CHARS = DIGITS | frozenset(string.ascii_letters) | frozenset("./()-")
EPOCH = date(1990, 1, 1)
#: What a subdivision adds to a section: "(A)", "(A)(1)".
SUBDIVISIONS = re.compile(r"(\([^(]*\))+")


def covered_by(key: str, offense: str) -> bool:
    """Whether a listed offense covers a code: the code is the offense or a subdivision of it."""
    return key == offense or (
        key.startswith(offense) and SUBDIVISIONS.fullmatch(key[len(offense) :]) is not None
    )


def is_canonical(code: str) -> bool:
    """The canonical form, by hand: a two-letter jurisdiction, one or more words of capitals
    and digits, and a section that starts with a digit; single spaces between them."""
    parts = code.split(" ")
    if len(parts) < 3:
        return False
    jurisdiction, *words, section = parts
    return (
        len(jurisdiction) == 2
        and set(jurisdiction) <= UPPER
        and all(word and set(word) <= UPPER | DIGITS for word in words)
        and section[:1] in DIGITS
        and set(section) <= SECTION_CHARS
    )


def some_code(fdp: atheris.FuzzedDataProvider) -> str:
    how = fdp.ConsumeIntInRange(0, 7)
    if how == 0:
        return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 40))
    code = fdp.PickValueInList(CODES)
    if how == 1:
        return code
    if how == 2:  # a subdivision, or two
        return code + "".join(
            f"({fdp.ConsumeIntInRange(0, 12)})" for _ in range(1 + fdp.ConsumeBool())
        )
    if how == 3 and SECTIONS:  # an attempt: "NY PL 110/160.15"
        law, _, section = code.rpartition(" ")
        return f"{law} {fdp.PickValueInList(SECTIONS)}/{section}"
    if how == 4:
        return code.lower() if fdp.ConsumeBool() else code.replace(" ", fdp.PickValueInList(
            ["  ", "\t", "\n", "\u00a0", " \r\n "]
        ))  # fmt: skip
    if how == 5:
        at = fdp.ConsumeIntInRange(0, len(code) - 1)
        return code[:at] + fdp.ConsumeUnicodeNoSurrogates(1) + code[at + 1 :]
    if how == 6:
        padding = fdp.PickValueInList([" ", "\n", "\t", "\x00", "\u2028", "(", ")", "/"])
        return padding + code if fdp.ConsumeBool() else code + padding
    return code[: fdp.ConsumeIntInRange(0, len(code))]


def check_canonical(code: str) -> None:
    try:
        accepted = check_offense(code)
    except InvalidInput:
        assert not is_canonical(code), code
        return
    assert accepted == code and is_canonical(code), code
    assert is_canonical(normalise_offense(code)), code
    Charge(code, "B felony", date(2020, 1, 17))  # a person's record takes it


def check_normalised(code: str) -> str:
    key = normalise_offense(code)
    assert normalise_offense(key) == key, (code, key)
    assert key.split() == (key.split(" ") if key else []), (code, key)
    assert key == key.upper(), (code, key)
    return key


def check_listed(table: Table, key: str, on: date) -> None:
    found = table.listed(key, on)
    own = [e for e in table.entries if in_force(e.effective_from, e.effective_to, on)]
    named = [e for e in own if covered_by(key, e.offense)]
    if found is None:
        assert not named, (table.name, key, on, named)
        return
    entry, level = found
    assert entry in own, (table.name, key, on, entry)
    assert level is None or level in LEVELS, (table.name, key, level)
    base = table.inchoate.base(key) if table.inchoate else None
    covers = [key] + ([base] if base else [])
    assert any(covered_by(c, entry.offense) for c in covers), (
        table.name,
        key,
        entry.offense,
    )
    if named:
        assert entry.offense == max((e.offense for e in named), key=len), (key, entry.offense)


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    code = some_code(fdp)
    check_canonical(code)
    key = check_normalised(code)
    on = EPOCH + timedelta(days=fdp.ConsumeIntInRange(0, 40 * 366))
    check_listed(fdp.PickValueInList(TABLES), key, on)


if __name__ == "__main__":
    run(
        test_one_input,
        [bytes([how]) + bytes(range(i, i + 16)) for how in range(8) for i in (0, 64)],
    )
