"""The one transition table that drives every status change, and the escalation ladder.

Nothing in lexdesk assigns an instrument's status directly: ``instruments.Instrument.apply``
looks the change up here and refuses anything the table does not list."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lexdesk.domain.vocabulary import CUSTODY_KINDS, REQUEST_KINDS, AgencyKind, InstrumentKind
from lexdesk.domain.vocabulary import InstrumentStatus as S

K = InstrumentKind
ALL_KINDS = frozenset(InstrumentKind)
_ANSWERED = ALL_KINDS - {K.ENFORCEMENT_PETITION, K.REFERRAL}


class Party(StrEnum):
    """Which side of an instrument may take a transition."""

    ISSUER = "issuer"
    ADDRESSEE = "addressee"
    SYSTEM = "system"  # the deadline sweeper


@dataclass(frozen=True)
class Transition:
    name: str
    source: S
    target: S
    kinds: frozenset[InstrumentKind]
    party: Party


def _rows(
    name: str, sources: tuple[S, ...], targets: tuple[S, ...], kinds: frozenset[K], party: Party
) -> list[Transition]:
    return [Transition(name, s, t, kinds, party) for s in sources for t in targets]


TRANSITIONS: tuple[Transition, ...] = tuple(
    _rows("issue", (S.DRAFT,), (S.ISSUED,), ALL_KINDS, Party.ISSUER)
    + _rows("discard", (S.DRAFT,), (S.DISCARDED,), ALL_KINDS, Party.ISSUER)
    + _rows("acknowledge", (S.ISSUED,), (S.ACKNOWLEDGED,), ALL_KINDS, Party.ADDRESSEE)
    + _rows(
        "determine",
        (S.ACKNOWLEDGED,),
        (S.COMPLIED, S.PARTIALLY_COMPLIED, S.DECLINED, S.CONTESTED),
        _ANSWERED,
        Party.ADDRESSEE,
    )
    # A U.S. Attorney accepts a referral by acknowledging it, or declines to take it further.
    + _rows("determine", (S.ACKNOWLEDGED,), (S.DECLINED,), frozenset({K.REFERRAL}), Party.ADDRESSEE)
    + _rows(
        "determine",
        (S.ACKNOWLEDGED,),
        (S.GRANTED, S.GRANTED_NARROWED, S.DENIED),
        frozenset({K.ENFORCEMENT_PETITION}),
        Party.ADDRESSEE,
    )
    + _rows("lapse", (S.ISSUED, S.ACKNOWLEDGED), (S.LAPSED,), ALL_KINDS, Party.SYSTEM)
    + _rows("moot", (S.ISSUED, S.ACKNOWLEDGED), (S.MOOT,), CUSTODY_KINDS, Party.SYSTEM)
    # An issuer may take back what it no longer wants, also once it lapsed or went moot: an
    # issuer that was not told of a release sees its request as open, and its withdrawal must
    # not be refused in words that would tell it otherwise (docs/adr/0006).
    + _rows(
        "withdraw",
        (S.ISSUED, S.ACKNOWLEDGED, S.LAPSED, S.MOOT),
        (S.WITHDRAWN,),
        ALL_KINDS,
        Party.ISSUER,
    )
    + _rows(
        "escalate",
        (S.DECLINED, S.CONTESTED, S.LAPSED),
        (S.ESCALATED,),
        REQUEST_KINDS | {K.ADMINISTRATIVE_SUBPOENA},
        Party.ISSUER,
    )
    + _rows("escalate", (S.ACKNOWLEDGED,), (S.ESCALATED,), frozenset({K.REFERRAL}), Party.ADDRESSEE)
    + _rows(
        "escalate",
        (S.GRANTED, S.GRANTED_NARROWED),
        (S.ESCALATED,),
        frozenset({K.ENFORCEMENT_PETITION}),
        Party.ADDRESSEE,
    )
)


def find_transition(kind: K, source: S, name: str, target: S | None = None) -> Transition | None:
    """The row allowing ``name`` from ``source`` for ``kind`` (and to ``target`` when several
    targets share a name, as the outcomes of ``determine`` do)."""
    for row in TRANSITIONS:
        same = row.name == name and row.source is source and kind in row.kinds
        if same and (target is None or row.target is target):
            return row
    return None


def allowed_transitions(kind: K, source: S) -> list[Transition]:
    return [row for row in TRANSITIONS if row.source is source and kind in row.kinds]


def party_for(kind: K, name: str) -> Party | None:
    """The side that takes transition ``name`` on an instrument of ``kind`` (whatever its
    status), or None when no row of that name applies to the kind."""
    return next((row.party for row in TRANSITIONS if row.name == name and kind in row.kinds), None)


def is_settled(kind: K, status: S) -> bool:
    """Whether an instrument is at rest: nothing but a withdrawal can move it any more. A case
    closes when every instrument in it is settled; a declined request that its issuer may still
    escalate is not."""
    return all(row.name == "withdraw" for row in allowed_transitions(kind, status))


@dataclass(frozen=True)
class Rung:
    """One step up the ladder: what an instrument of ``source`` escalates into."""

    source: InstrumentKind
    target: InstrumentKind
    #: Who issues the next instrument: the same issuer (it was refused) or the addressee (it
    #: accepted and carries the matter to the next forum).
    next_issuer: Party
    #: The kind of agency the next instrument is addressed to.
    next_addressee: AgencyKind
    authority: str


LADDER: tuple[Rung, ...] = (
    *(
        Rung(
            kind,
            K.ADMINISTRATIVE_SUBPOENA,
            Party.ISSUER,
            AgencyKind.CUSTODIAL,
            "8 U.S.C. 1225(d)(4)(A)",
        )
        for kind in sorted(REQUEST_KINDS)
    ),
    Rung(
        K.ADMINISTRATIVE_SUBPOENA,
        K.REFERRAL,
        Party.ISSUER,
        AgencyKind.PROSECUTOR,
        "8 U.S.C. 1225(d)(4)(B)",
    ),
    Rung(
        K.REFERRAL,
        K.ENFORCEMENT_PETITION,
        Party.ADDRESSEE,
        AgencyKind.COURT,
        "8 U.S.C. 1225(d)(4)(B)",
    ),
    Rung(
        K.ENFORCEMENT_PETITION,
        K.COURT_ORDER,
        Party.ADDRESSEE,
        AgencyKind.CUSTODIAL,
        "8 U.S.C. 1225(d)(4)(B)",
    ),
)


def next_rung(kind: InstrumentKind) -> Rung | None:
    return next((rung for rung in LADDER if rung.source is kind), None)
