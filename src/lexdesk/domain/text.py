"""Text a person can read as it will be shown: no invisible or control characters.

A right-to-left override (U+202E) makes a reader see another name than the one on record, a
zero-width space makes two names look alike that do not match, a line feed forges a log line.
No text the desk takes holds them, however it comes in (the API, a form, the command line): the
characters of Unicode categories Cc and Cf in the Basic Multilingual Plane, but for the
zero-width joiner and non-joiner (U+200C, U+200D), which Persian and Indic names need. A text of
several lines keeps its line breaks and tabs.
"""

from __future__ import annotations

import re
import unicodedata

#: The invisible characters, as the body of a regular-expression character class.
INVISIBLE = (
    r"\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e"
    r"\u200b\u200e-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
)
ONE_LINE = f"^[^\\u0000-\\u001f{INVISIBLE}]*$"
SEVERAL_LINES = f"^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f{INVISIBLE}]*$"
_REFUSED_IN_A_LINE = re.compile(f"[\\u0000-\\u001f{INVISIBLE}]")
_REFUSED_IN_LINES = re.compile(f"[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f{INVISIBLE}]")


def invisible_in(text: str, *, lines: bool = False) -> str | None:
    """What is wrong with ``text``, saying which character and where; None if nothing is."""
    found = (_REFUSED_IN_LINES if lines else _REFUSED_IN_A_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    name = unicodedata.name(char, "a control character")
    return (
        f"has an invisible or control character, U+{ord(char):04X} ({name}), "
        f"at character {found.start() + 1}: remove it"
    )
