"""The facts the law turns on, in words a person at the desk reads: each ``missing`` change
carries a ``label`` ("a final order of removal", "the release date already public") so that
"What would change it" asks for the fact, not for a field path."""

from __future__ import annotations

FLAG_WORDS = {
    "person.tsdb_match": "a possible match in the terrorist screening database",
    "person.prior_removal": "a previous removal from the United States",
    "person.illegal_reentry": "an illegal reentry after a removal",
    "person.proof_of_status": "proof of U.S. citizenship or lawful immigration status",
    "person.final_removal_order": "a final order of removal",
    "person.outstanding_criminal_warrant": "an outstanding criminal warrant",
    "person.sex_arson_registrant": (
        "a current registration on the California Sex and Arson Registry"
    ),
    "person.aggravated_felony_conviction": (
        "a federal conviction for an aggravated felony (8 U.S.C. § 1101(a)(43)(A)-(P))"
    ),
    "person.federal_felony_warrant": "an outstanding federal felony arrest warrant named by ICE",
}
CHOICE_WORDS = {
    ("instrument.warrant", "judicial"): (
        "a judicial warrant (signed by a federal judge or magistrate judge)"
    ),
    ("instrument.warrant", "administrative"): "an administrative warrant (Form I-200 or I-205)",
    ("instrument.warrant", "none"): "no warrant",
    ("instrument.issuer", "ice"): "a request issued by ICE",
    ("instrument.issuer", "cbp"): "a request issued by CBP",
    ("instrument.issuer", "other"): "a request issued by another immigration authority",
}
FIELD_WORDS = {
    "release_date": "the release date",
    "custody_status": "the custody status",
    "court_dates": "the court dates",
    "home_address": "the home address",
    "work_address": "the work address",
    "date_of_birth": "the date of birth",
    "place_of_birth": "the place of birth",
    "citizenship_status": "the citizenship or immigration status",
    "criminal_history": "the criminal history",
    "bond_information": "the bond information",
    "identity_documents": "the identity documents",
    "emergency_contacts": "the emergency contacts",
}


def fact_label(fact: str, value: object, record: str = "") -> str:
    """A noun phrase for a single-fact change; ``record`` is the rendered record condition."""
    if fact in FLAG_WORDS:
        words = FLAG_WORDS[fact]
        return words if value is True else f"no {words.removeprefix('a ').removeprefix('an ')}"
    if isinstance(value, str) and (fact, value) in CHOICE_WORDS:
        return CHOICE_WORDS[(fact, value)]
    if fact == "person.public_information" and isinstance(value, str):
        return f"{FIELD_WORDS.get(value, value)} already available to the public"
    if record:
        return record
    return f"{fact} = {value}"
