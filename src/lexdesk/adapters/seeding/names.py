"""Synthetic names for a synthetic record: people, places and streets put together from
syllables that no language we know joins this way, so that no row ever names a real person.

The syllables were chosen to make words that read as names ("Zarvask", "Quorimel") and not as
English words or common surnames; a family name is always two or three of them, so that it
cannot be one of the short real names a single syllable might spell."""

from __future__ import annotations

import random

_FAMILY_HEADS = (
    "Zar", "Vel", "Quor", "Brix", "Tav", "Yvr", "Orl", "Kess", "Drav", "Nym",
    "Xol", "Prim", "Zeth", "Vorn", "Ulk", "Gryv", "Hesk", "Jorv", "Lusk", "Mirv",
)  # fmt: skip
_FAMILY_MIDDLES = ("a", "e", "i", "o", "u", "ae", "io", "ul", "ar", "en")
_FAMILY_TAILS = (
    "vask", "quen", "drith", "zeln", "myrr", "kast", "vorth", "nesk", "trul", "xan",
    "mel", "brisk", "quol", "zenn", "dorv",
)  # fmt: skip
_GIVEN_HEADS = (
    "Al", "Be", "Ci", "Da", "E", "Fa", "Ga", "Hi", "I", "Jo", "Ka", "Le", "Mi", "No", "O",
    "Pa", "Ri", "Sa", "Te", "U", "Va", "Yo", "Za",
)  # fmt: skip
_GIVEN_TAILS = (
    "vrin", "quel", "zorn", "thys", "mavo", "drel", "siq", "norv", "laxe", "reth", "vunn",
    "quiro", "zalo",
)  # fmt: skip
_PLACE_TAILS = ("ford", "mere", "vale", "holt", "wick", "moor", "crest", "brook")
_STREET_KINDS = ("Street", "Avenue", "Road", "Lane", "Court", "Place")
#: Where a synthetic person was born: ISO 3166 country codes, as the record writes them.
_COUNTRIES = ("MX", "GT", "HN", "SV", "GY", "DO", "HT", "CO", "EC", "VE", "PE", "BR", "IN", "CN")


def family_name(rng: random.Random) -> str:
    middle = rng.choice(_FAMILY_MIDDLES) if rng.random() < 0.6 else ""
    return rng.choice(_FAMILY_HEADS) + middle + rng.choice(_FAMILY_TAILS)


def given_name(rng: random.Random) -> str:
    return rng.choice(_GIVEN_HEADS) + rng.choice(_GIVEN_TAILS)


def place_name(rng: random.Random) -> str:
    return rng.choice(_FAMILY_HEADS) + rng.choice(_FAMILY_MIDDLES) + rng.choice(_PLACE_TAILS)


def birthplace(rng: random.Random) -> str:
    return f"{place_name(rng)}, {rng.choice(_COUNTRIES)}"


def home_address(rng: random.Random, state: str) -> str:
    street = f"{rng.randint(1, 9999)} {place_name(rng)} {rng.choice(_STREET_KINDS)}"
    return f"{street}, {place_name(rng)}, {state}"
