"""How the parties of a synthetic record behave: what a field office files and asks for, how
soon and how often each agency acknowledges, answers, withdraws and climbs the ladder, how
readily a jail does what its law permits, and what they write when they do.

The rates are invented to look like a national record (most requests answered within days,
one declined request in eight taken to a subpoena, half the refused subpoenas referred), not
measured from one."""

from __future__ import annotations

from datetime import time, timedelta

from lexdesk.adapters.seeding.chance import Weighted
from lexdesk.domain.vocabulary import InstrumentKind, Outcome, Warrant

K = InstrumentKind
HOUR, DAY = timedelta(hours=1), timedelta(days=1)

#: The first rung, by how often a field office files each kind.
REQUEST_KINDS = (K.DETAINER, K.NOTIFICATION_REQUEST, K.INFORMATION_REQUEST, K.TRANSFER_REQUEST)
REQUEST_DRAW = Weighted(REQUEST_KINDS, (0.55, 0.15, 0.20, 0.10))
#: How many requests one case holds (filed together, the same day).
REQUESTS_PER_CASE = Weighted((1, 2, 3), (0.75, 0.20, 0.05))
#: What each kind asks for: (warrant, actions, weight).
SHAPES: dict[InstrumentKind, tuple[tuple[Warrant, tuple[str, ...], float], ...]] = {
    K.DETAINER: (
        (Warrant.ADMINISTRATIVE, ("hold",), 0.30),
        (Warrant.ADMINISTRATIVE, ("hold", "notify_release"), 0.25),
        (Warrant.ADMINISTRATIVE, ("hold", "notify_release", "disclose:release_date"), 0.20),
        (Warrant.JUDICIAL, ("hold",), 0.10),
        (Warrant.NONE, ("hold", "notify_release"), 0.15),
    ),
    K.NOTIFICATION_REQUEST: (
        (Warrant.NONE, ("notify_release",), 0.6),
        (Warrant.NONE, ("notify_release", "disclose:release_date"), 0.4),
    ),
    K.TRANSFER_REQUEST: (
        (Warrant.ADMINISTRATIVE, ("transfer",), 0.7),
        (Warrant.NONE, ("transfer", "notify_release"), 0.3),
    ),
    K.INFORMATION_REQUEST: (
        (Warrant.NONE, ("disclose:release_date",), 0.40),
        (Warrant.NONE, ("disclose:release_date", "disclose:custody_status"), 0.25),
        (Warrant.NONE, ("disclose:home_address", "disclose:date_of_birth"), 0.20),
        (Warrant.NONE, ("disclose:criminal_history",), 0.15),
    ),
}
SHAPE_DRAWS = {kind: Weighted(shapes, [s[2] for s in shapes]) for kind, shapes in SHAPES.items()}
#: The form or docket number an issuer writes on each kind.
REFERENCES = {
    K.DETAINER: "I-247A",
    K.NOTIFICATION_REQUEST: "I-247N",
    K.TRANSFER_REQUEST: "I-203",
    K.ADMINISTRATIVE_SUBPOENA: "I-138",
}
#: A subpoena after a request that asked for no records demands these.
SUBPOENA_FIELDS = ("disclose:release_date", "disclose:home_address")
#: How readily a jail performs what its law permits (and does not require), by rule pack.
WILLING = {
    "us-tx": 0.95, "us-fl": 0.95, "us-tn": 0.9, "us-ia": 0.9, "us-ny": 0.3, "us-ca": 0.3,
    "us-il": 0.15, "us-co": 0.2, "us-or": 0.1, "us-ny-nyc-doc": 0.1, "us-ny-nyc-nypd": 0.1,
}  # fmt: skip
#: The most times one person's expected release moves (``--events``).
MOST_MOVES = 60
#: How often counsel answers against the evaluation, with a reasoned override.
OVERRIDE_RATE = 0.01
#: The time between a lapse's due time and the sweep that records it.
SWEEP_LAG = (timedelta(minutes=1), timedelta(minutes=15))
#: A return or compliance date is this many business days out, at 5 p.m. where it is due.
RETURN_BUSINESS_DAYS = (10, 25)
DUE_LOCAL_TIME = time(17, 0)

REASONS = {
    Outcome.COMPLIED: "The request is honored as the law permits.",
    Outcome.PARTIALLY_COMPLIED: "Honored in part: only what the law permits is done.",
    Outcome.DECLINED: "Declined: the law does not let the agency do what is asked.",
    Outcome.CONTESTED: "Contested: the demand is overbroad and its basis is disputed.",
    Outcome.GRANTED: "The petition is granted: the subpoena is enforced as issued.",
    Outcome.GRANTED_NARROWED: "Enforced in part: the demand is narrowed to the fields ordered.",
    Outcome.DENIED: "The petition is denied.",
}
OVERRIDE_REASON = "Counsel departs from the evaluation on the particular facts of this case."
COURT_ORDER_ANSWER = "A federal court order compels production of the ordered fields."
REFERRAL_DECLINED = "The U.S. Attorney declines to seek enforcement."
WITHDRAWN = "Withdrawn by the issuing office: no longer needed."
ESCALATION_REASONS = {
    K.ADMINISTRATIVE_SUBPOENA: "Request refused; the records are demanded by subpoena.",
    K.REFERRAL: "No records produced by the return date; referred for enforcement.",
    K.ENFORCEMENT_PETITION: "Petition to enforce under 8 U.S.C. 1225(d)(4)(B).",
    K.COURT_ORDER: "Order to comply with the subpoena as enforced.",
}
RELEASE_REASONS = ("Released: sentence served.", "Released on bail.", "Released: charges dropped.")
HANDED_OVER = "Transferred to immigration custody."

REQUEST_KINDS_SET = frozenset(REQUEST_KINDS)
#: Requests on which a jail holds the person for the field office.
HOLDING_KINDS = frozenset({K.DETAINER, K.TRANSFER_REQUEST})
ACKNOWLEDGE_RATE = {
    K.DETAINER: 0.90, K.NOTIFICATION_REQUEST: 0.85, K.TRANSFER_REQUEST: 0.90,
    K.INFORMATION_REQUEST: 0.90, K.ADMINISTRATIVE_SUBPOENA: 0.95, K.REFERRAL: 0.90,
    K.ENFORCEMENT_PETITION: 0.95, K.COURT_ORDER: 0.95,
}  # fmt: skip
#: An issuer withdraws some of the requests it sees go unanswered.
WITHDRAW_RATE = 0.05
#: Of referrals it acknowledges, a U.S. Attorney takes this many to court (and declines
#: ``ANSWER_RATE`` of them; the rest lapse).
REFERRAL_ACCEPTED = 0.6
ANSWER_RATE = {
    K.DETAINER: 0.80, K.NOTIFICATION_REQUEST: 0.75, K.TRANSFER_REQUEST: 0.80,
    K.INFORMATION_REQUEST: 0.85, K.ADMINISTRATIVE_SUBPOENA: 0.70, K.REFERRAL: 0.85,
    K.ENFORCEMENT_PETITION: 0.90, K.COURT_ORDER: 0.95,
}  # fmt: skip
ANSWER_DELAY = {
    K.DETAINER: (HOUR, 20 * DAY), K.NOTIFICATION_REQUEST: (HOUR, 20 * DAY),
    K.TRANSFER_REQUEST: (HOUR, 20 * DAY), K.INFORMATION_REQUEST: (DAY, 15 * DAY),
    K.ADMINISTRATIVE_SUBPOENA: (2 * DAY, 30 * DAY), K.REFERRAL: (5 * DAY, 25 * DAY),
    K.ENFORCEMENT_PETITION: (10 * DAY, 60 * DAY), K.COURT_ORDER: (DAY, 12 * DAY),
}  # fmt: skip
#: How often a rested instrument is taken a rung up, and how long after.
CLIMB_RATE = {
    K.DETAINER: 0.12, K.NOTIFICATION_REQUEST: 0.12, K.TRANSFER_REQUEST: 0.12,
    K.INFORMATION_REQUEST: 0.12, K.ADMINISTRATIVE_SUBPOENA: 0.5, K.ENFORCEMENT_PETITION: 0.95,
}  # fmt: skip
CLIMB_DELAY = {
    K.DETAINER: (2 * DAY, 40 * DAY), K.NOTIFICATION_REQUEST: (2 * DAY, 40 * DAY),
    K.TRANSFER_REQUEST: (2 * DAY, 40 * DAY), K.INFORMATION_REQUEST: (2 * DAY, 40 * DAY),
    K.ADMINISTRATIVE_SUBPOENA: (5 * DAY, 40 * DAY), K.ENFORCEMENT_PETITION: (HOUR, 3 * DAY),
}  # fmt: skip
#: Rungs whose issuer sets the date they are due.
ISSUER_DATED = frozenset({K.ADMINISTRATIVE_SUBPOENA, K.COURT_ORDER})
#: Rungs that the addressee of the one below takes up (a U.S. Attorney, a court).
ADDRESSEE_CLIMBS = frozenset({K.ENFORCEMENT_PETITION, K.COURT_ORDER})
