"""The legal phrase of every fact, value, list and action the rule packs speak of, for the
evaluation in legal English (:mod:`.english`). The sentences are generated from the rules'
condition trees; what they are made of is here, once: a fact a pack uses without a phrase in
this book fails a test (``tests/unit/rules/test_english.py``), never a page.

Noun phrases take their article ("a judicial warrant") so that a condition reads after
"Applies only with ..."; ``absent`` forms read after "with" too ("no judicial warrant")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lexdesk.domain.errors import LexdeskError
from lexdesk.domain.rules.wording import FIELD_WORDS, FLAG_WORDS


class MissingPhrase(LexdeskError):
    """A pack speaks of a fact, value or list that has no phrase in the book."""


#: The yes/no facts about a person, as the record shows them (``person.<flag>``).
FLAGS: dict[str, str] = dict(FLAG_WORDS)

#: A choice fact's values, as a condition names them.
CHOICES: dict[tuple[str, str], str] = {
    ("instrument.warrant", "judicial"): "a judicial warrant",
    ("instrument.warrant", "administrative"): "an administrative warrant",
    ("instrument.warrant", "none"): "no warrant",
    ("instrument.issuer", "ice"): "a request issued by ICE",
    ("instrument.issuer", "cbp"): "a request issued by CBP",
    ("instrument.issuer", "other"): "a request issued by another immigration authority",
}
#: Who issued a request, as a sentence about the request names them.
ISSUERS: dict[str, str] = {
    "ice": "ICE",
    "cbp": "CBP",
    "other": "an immigration authority other than ICE or CBP",
}
#: A date fact, as "an arrest before ..." reads.
DATES: dict[str, str] = {
    "person.arrested_on": "an arrest",
    "as_of": "an answer given",
}
#: "The information asked for is already public": read per action.
PUBLIC = "information.public"


@dataclass(frozen=True)
class ListPhrase:
    """A named table of offenses: ``listed`` names an offense on it ("a listed violent or
    serious crime"); ``outside`` one that is not ("a covered crime"), where the law has a
    word for it."""

    listed: str
    outside: str = ""

    def not_listed(self) -> str:
        return self.outside or f"an offense that is not {self.listed}"


#: The named tables of the shipped packs, by name (the same list keeps its name from one
#: version of a pack to the next).
LISTS: dict[str, ListPhrase] = {
    "violent_or_serious_crimes": ListPhrase("a listed violent or serious crime"),
    "serious_or_violent_felonies": ListPhrase("a serious or violent felony"),
    "trust_act_offenses": ListPhrase("an offense listed in Cal. Gov. Code § 7282.5(a)(3)"),
    "prop47_misdemeanors": ListPhrase("an offense that Proposition 47 reduced to a misdemeanor"),
    "covered_crime_exclusions": ListPhrase(
        "a charge excluded from the covered crimes", outside="a covered crime"
    ),
    "offenses": ListPhrase("an offense in the offense table"),
}

#: An offense's class, as "an offense that is ..." reads.
CLASSES: dict[str, str] = {
    "felony": "a felony",
    "misdemeanor": "a misdemeanor",
    "wobbler": "a wobbler (punishable as either a felony or a misdemeanor)",
    "violation": "a violation, not a crime",
}

#: What each requested action does, as the subject of a sentence.
ACTIONS: dict[str, str] = {
    "hold": "Holding the person past the time of release",
    "notify_release": "Notifying the requesting agency of the person's release",
    "transfer": "Transferring the person to immigration custody",
}
DISCLOSE = "disclose:"

#: The kinds of instrument, as a sentence names them.
KINDS: dict[str, str] = {
    "detainer": "detainer",
    "notification_request": "notification request",
    "transfer_request": "transfer request",
    "information_request": "information request",
    "administrative_subpoena": "administrative subpoena",
    "referral": "referral",
    "enforcement_petition": "enforcement petition",
    "court_order": "court order",
}

STATUSES: dict[str, str] = {
    "required": "required",
    "permitted": "permitted",
    "prohibited": "prohibited",
}

OUTCOMES: dict[str, str] = {
    "must_comply": "The law requires every action requested.",
    "must_not_comply": "The law prohibits every action requested.",
    "may_comply": "The law permits the actions requested; it prohibits none of them.",
    "partial": "The law permits some of the actions requested and prohibits others.",
    "conflict": "The law cannot be applied as encoded: two provisions in force disagree, "
    "and a lawyer must decide between them.",
}


def flag(path: str) -> str:
    """``person.tsdb_match`` -> "a possible match in the terrorist screening database"."""
    found = FLAGS.get(path)
    if found is None:
        raise MissingPhrase(f"no phrase for the fact {path}: add it to the phrasebook")
    return found


def choice(path: str, value: object) -> str:
    found = CHOICES.get((path, str(value)))
    if found is None:
        raise MissingPhrase(f"no phrase for {path} = {value}: add it to the phrasebook")
    return found


def listed(name: str) -> ListPhrase:
    found = LISTS.get(name)
    if found is None:
        raise MissingPhrase(f"no phrase for the list {name}: add it to the phrasebook")
    return found


def action(name: str) -> str:
    """The action as the subject of a sentence: "Disclosing the release date"."""
    if name.startswith(DISCLOSE):
        field = name[len(DISCLOSE) :]
        if field not in FIELD_WORDS:
            raise MissingPhrase(f"no phrase for the field {field}: add it to the phrasebook")
        return f"Disclosing {FIELD_WORDS[field]}"
    if name not in ACTIONS:
        raise MissingPhrase(f"no phrase for the action {name}: add it to the phrasebook")
    return ACTIONS[name]


def field(name: str) -> str:
    """A disclosable field: "the release date"."""
    if name not in FIELD_WORDS:
        raise MissingPhrase(f"no phrase for the field {name}: add it to the phrasebook")
    return FIELD_WORDS[name]


def kind(name: str) -> str:
    if name not in KINDS:
        raise MissingPhrase(f"no phrase for the kind {name}: add it to the phrasebook")
    return KINDS[name]


def without_article(phrase: str) -> str:
    for article in ("a ", "an ", "the "):
        if phrase.startswith(article):
            return phrase[len(article) :]
    return phrase


def absent(phrase: str) -> str:
    """ "a judicial warrant" -> "no judicial warrant"; "no warrant" -> "a warrant"."""
    if phrase.startswith("no "):
        rest = phrase[3:]
        return ("an " if rest[:1] in "aeiou" else "a ") + rest
    return "no " + without_article(phrase)


def day(value: date) -> str:
    """A date as a U.S. lawyer writes it: January 17, 2020."""
    return f"{value:%B} {value.day}, {value.year}"


def sentence(text: str) -> str:
    """Capitalised, ending with one full stop (or the question or exclamation it has)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."
