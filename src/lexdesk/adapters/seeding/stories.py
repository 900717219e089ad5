"""One person's story, told with the domain's own objects: booked into a jail, the requests a
field office files about them (one case), each request's life (acknowledged, answered under
the jail's law, lapsed, moot when the person leaves, withdrawn) and, for some, the ladder:
subpoena, referral to the U.S. Attorney, petition to the court, the court's order.

Every change goes through what the services call: ``Instrument.apply`` and ``determine``,
``Case.escalate``, ``Case.close_if_settled``, ``Instrument.issue`` and ``reschedule``; the due
dates of ``due_for_addressee`` (``dues``, which checks itself against it); the rule engine's
evaluation (``evaluations``); ``answers`` for what an answer performs and when it needs an
override; ``release_for`` for what it releases. So the transition table refuses anything the
application would refuse. A story writes nothing: ``rows`` turns it into rows, and ``habits``
says how often each thing happens."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from lexdesk.adapters.seeding import habits
from lexdesk.adapters.seeding.dues import Dues
from lexdesk.adapters.seeding.evaluations import Evaluated, EvaluationCache
from lexdesk.adapters.seeding.geography import Jail, Nation
from lexdesk.adapters.seeding.habits import DAY, HOUR
from lexdesk.adapters.seeding.ids import IdMint
from lexdesk.adapters.seeding.people import Stay, book
from lexdesk.adapters.seeding.views import ReadModel
from lexdesk.domain import answers
from lexdesk.domain.agencies import Agency
from lexdesk.domain.calendar import calendar_for
from lexdesk.domain.cases import Case, Escalation
from lexdesk.domain.deadlines import DueDate
from lexdesk.domain.disclosure import Release, release_for
from lexdesk.domain.instruments import Determination, Instrument, InstrumentEvent
from lexdesk.domain.lifecycle import find_transition, next_rung
from lexdesk.domain.persons import Person
from lexdesk.domain.rules.errors import NoRuleInForce
from lexdesk.domain.vocabulary import (
    CUSTODY_KINDS,
    InstrumentKind,
    InstrumentStatus,
    Outcome,
    Warrant,
    disclosed_field,
)
from lexdesk.services.context import Desk
from lexdesk.services.evaluation import rule_document

K, S = InstrumentKind, InstrumentStatus
#: One thing that happens to an instrument, at the moment given.
Step = Callable[[datetime], None]


@dataclass
class Plan:
    """What the parties will do with one instrument, and when (None: never)."""

    acknowledge_at: datetime | None = None
    answer_at: datetime | None = None
    withdraw_at: datetime | None = None
    #: A U.S. Attorney accepts a referral by escalating it (from ``acknowledged``).
    escalate_at: datetime | None = None
    #: How long after its due time the sweeper finds it.
    sweep_lag: timedelta = timedelta(minutes=5)
    #: How many of the stay's moves of the expected release have reached it.
    moves_seen: int = 0


@dataclass
class Answered:
    instrument: Instrument
    determination: Determination
    #: The evaluation's JSON text as the determination stores it (None: no pack governs).
    evaluation: str | None


@dataclass
class Story:
    """A person, their stay and their case, as the application would hold them at the end."""

    person: Person
    case: Case
    events: list[InstrumentEvent]
    answered: list[Answered]
    releases: list[Release]
    #: What each instrument's issuer sees (``issuer_view``): status and due time.
    issuer_views: dict[str, tuple[InstrumentStatus, datetime | None]]
    #: The case's status as each party sees it (``party_statuses``).
    parties: dict[str, str]
    #: Service calls that changed the case (its version is one more).
    calls: int
    escalations: int
    overrides: int


@dataclass
class Parties:
    jail: Jail
    office: Agency
    prosecutor: Agency
    court: Agency


def username(agency: Agency | str, role: str) -> str:
    """The seeded user of ``role`` at an agency: who the events name as their actor."""
    code = agency if isinstance(agency, str) else agency.id
    return f"{code}-{role}"


@dataclass
class Storyteller:
    desk: Desk
    nation: Nation
    mint: IdMint
    rng: random.Random
    now: datetime
    #: The earliest booking of the record.
    since: datetime
    evaluations: EvaluationCache
    read_model: ReadModel
    agencies: dict[str, Agency] = field(default_factory=dict)
    dues: Dues = field(init=False)

    def __post_init__(self) -> None:
        self.agencies = {agency.id: agency for agency in self.nation.agencies}
        self.dues = Dues(self.desk)

    def tell(self, budget: int, extra_events: int = 0) -> Story:
        """One person's story with at most ``budget`` instruments (at least one), and about
        ``extra_events`` more events from moving their expected release, if it has any."""
        teller = _Telling(self, self._parties(), budget)
        return teller.tell(extra_events)

    def _parties(self) -> Parties:
        jail = self.nation.pick_jail(self.rng)
        return Parties(
            jail,
            self.agencies[jail.office],
            self.nation.prosecutors[jail.district],
            self.nation.courts[jail.district],
        )


class _Telling:
    """The telling of one story (what ``Storyteller.tell`` keeps between its steps)."""

    def __init__(self, teller: Storyteller, parties: Parties, budget: int) -> None:
        self.t = teller
        self.rng = teller.rng
        self.parties = parties
        self.budget = budget
        self.answered: list[Answered] = []
        self.releases: list[Release] = []
        self.escalations = 0
        self.overrides = 0
        jail = parties.jail
        self.zone = ZoneInfo(jail.state.zone)
        self.calendar = calendar_for(jail.state.code)
        booked = self._moment(teller.since, teller.now - 2 * HOUR)
        person, self.profile = book(
            self.rng, teller.mint, jail, booked, booked.astimezone(self.zone).date()
        )
        self.person = person
        self.custody = person.custodies[0]
        self.stay = Stay(self.custody, [(booked, self._expected_release(booked))])
        self.case: Case | None = None

    # -- the story -----------------------------------------------------------------------

    def tell(self, extra_events: int) -> Story:
        requests = self._requests()
        booked = self.custody.booked_at
        first_issue = self._moment(booked + HOUR, min(booked + 3 * DAY, self.t.now - HOUR))
        self.case = Case(
            self.t.mint("cas"),
            self.parties.office.id,
            self.parties.jail.agency.id,
            self.person.id,
            first_issue,
            subject=f"booking_number:{self.person.identifiers[0].value}",
        )
        issued = [
            self._issue(kind, first_issue + timedelta(minutes=20 * n))
            for n, kind in enumerate(requests)
        ]
        plans = {instrument.id: self._plan(instrument) for instrument in issued}
        last_issue = issued[-1].created_at
        self._plan_moves(last_issue, extra_events, issued, plans)
        self._plan_leaving(last_issue)
        # Holds first: whether the person leaves to the field office decides what the others
        # are told of the custody.
        for instrument in sorted(issued, key=lambda i: i.kind not in habits.HOLDING_KINDS):
            self._live(instrument, plans[instrument.id])
        return self._ending(self.case)

    def _requests(self) -> list[InstrumentKind]:
        wanted = min(habits.REQUESTS_PER_CASE.pick(self.rng), self.budget)
        kinds: list[InstrumentKind] = []
        while len(kinds) < wanted:
            kind = habits.REQUEST_DRAW.pick(self.rng)
            if kind not in kinds:
                kinds.append(kind)
        self.budget -= len(kinds)
        return kinds

    def _expected_release(self, booked: datetime) -> datetime | None:
        if self.rng.random() < 0.3:
            return None  # not yet sentenced, no bail set: nobody knows
        return booked + self.rng.uniform(5, 400) * DAY

    def _plan_leaving(self, after: datetime) -> None:
        """When the person leaves: at the expected release if it has passed, or (with none
        expected) now and then on bail; never before the requests are filed."""
        stay, expected = self.stay, self.stay.expected[-1][1]
        if expected is not None:
            leaves = max(expected, after + HOUR) + self.rng.uniform(0, 2) * HOUR
        elif self.rng.random() < 0.3:
            leaves = after + self.rng.uniform(2, 200) * DAY
        else:
            return
        if leaves <= self.t.now:
            stay.leaves_at = leaves
            stay.release_reason = self.rng.choice(habits.RELEASE_REASONS)

    def _plan_moves(
        self,
        after: datetime,
        extra_events: int,
        issued: list[Instrument],
        plans: dict[str, Plan],
    ) -> None:
        """Move the expected release some times (each a ``reschedule`` of every open request
        whose clock runs from it), while the requests it moves are still open: before the
        release and before any of them is answered or withdrawn."""
        held = [i for i in issued if i.kind in CUSTODY_KINDS]
        expected = self.stay.expected[0][1]
        if extra_events <= 0 or not held or expected is None:
            return
        ends = [
            moment
            for i in held
            for moment in (plans[i.id].answer_at, plans[i.id].withdraw_at)
            if moment is not None
        ]
        until = min([expected - HOUR, self.t.now - HOUR, *ends])
        if until <= after + HOUR:
            return
        count = min(math.ceil(extra_events / len(held)), habits.MOST_MOVES)
        moments = sorted(self._moment(after + HOUR, until) for _ in range(count))
        for moment in moments:
            expected = expected + self.rng.uniform(1, 10) * DAY
            self.stay.expected.append((moment, expected))
        self.stay.moves = moments

    # -- one instrument's life -----------------------------------------------------------

    def _issue(self, kind: InstrumentKind, at: datetime) -> Instrument:
        """``services.instruments.issue_instrument``: a request about the person."""
        office, jail, case = self.parties.office, self.parties.jail.agency, self._case()
        warrant, actions = self._shape(kind)
        instrument = Instrument(
            id=self.t.mint("ins"),
            case_id=case.id,
            kind=kind,
            actions=actions,
            warrant=warrant,
            issuer_agency_id=office.id,
            addressee_agency_id=jail.id,
            created_at=at,
            reference=habits.REFERENCES.get(kind, ""),
            produce_to=(office.id,),
        )
        due = self._due(kind, jail, at)
        reason = f"{kind.value.replace('_', ' ')} issued"
        instrument.issue(actor=username(office, "officer"), at=at, due=due, reason=reason)
        case.add(instrument)
        return instrument

    def _shape(self, kind: InstrumentKind) -> tuple[Warrant, tuple[str, ...]]:
        warrant, actions, _ = habits.SHAPE_DRAWS[kind].pick(self.rng)
        return warrant, actions

    def _live(self, instrument: Instrument, plan: Plan | None = None) -> None:
        """Run the instrument from its issue until it rests or the record ends, then take it
        up the ladder if its issuer (or, higher up, its addressee) does."""
        plan = plan or self._plan(instrument)
        while instrument.is_open:
            found = self._next_step(instrument, plan)
            if found is None or found[0] > self.t.now:
                return
            moment, step = found
            step(moment)
        self._climb(instrument)

    def _plan(self, instrument: Instrument) -> Plan:
        issued = instrument.issued_at or instrument.created_at
        kind, rng = instrument.kind, self.rng
        plan = Plan(sweep_lag=self._span(*habits.SWEEP_LAG))
        if rng.random() >= habits.ACKNOWLEDGE_RATE[kind]:
            return plan
        plan.acknowledge_at = issued + self._span(0.3 * HOUR, 2 * DAY)
        later = plan.acknowledge_at + self._span(*habits.ANSWER_DELAY[kind])
        roll = rng.random()
        if kind is K.REFERRAL and roll < habits.REFERRAL_ACCEPTED and self.budget > 0:
            plan.escalate_at = later
        elif roll < habits.ANSWER_RATE[kind]:
            plan.answer_at = later
        elif kind in habits.REQUEST_KINDS_SET and rng.random() < habits.WITHDRAW_RATE:
            plan.withdraw_at = plan.acknowledge_at + self._span(DAY, 30 * DAY)
        return plan

    def _next_step(self, instrument: Instrument, plan: Plan) -> tuple[datetime, Step] | None:
        """The first of what may happen next to an open instrument."""
        status, found = instrument.status, []
        if status is S.ISSUED and plan.acknowledge_at:
            found.append((plan.acknowledge_at, partial(self._acknowledge, instrument)))
        if status is S.ACKNOWLEDGED and plan.answer_at:
            found.append((plan.answer_at, partial(self._answer, instrument, plan)))
        if status is S.ACKNOWLEDGED and plan.escalate_at:
            found.append((plan.escalate_at, partial(self._accept, instrument, plan)))
        if plan.withdraw_at:
            found.append((plan.withdraw_at, partial(self._withdraw, instrument)))
        if instrument.due_at is not None:
            found.append((instrument.due_at + plan.sweep_lag, partial(self._lapse, instrument)))
        if instrument.kind in CUSTODY_KINDS:
            if self.stay.leaves_at is not None:
                found.append((self.stay.leaves_at, partial(self._moot, instrument)))
            if plan.moves_seen < len(self.stay.moves):
                move = self.stay.moves[plan.moves_seen]
                found.append((move, partial(self._reschedule, instrument, plan)))
        return min(found, key=lambda step: step[0]) if found else None

    def _acknowledge(self, instrument: Instrument, at: datetime) -> None:
        who = username(instrument.addressee_agency_id, self._acknowledger(instrument))
        instrument.apply("acknowledge", actor=who, at=at, reason="receipt acknowledged")

    def _acknowledger(self, instrument: Instrument) -> str:
        return "legal" if instrument.kind is K.REFERRAL else "officer"

    def _withdraw(self, instrument: Instrument, at: datetime) -> None:
        who = username(instrument.issuer_agency_id, "officer")
        instrument.apply("withdraw", actor=who, at=at, reason=habits.WITHDRAWN)

    def _lapse(self, instrument: Instrument, at: datetime) -> None:
        """``services.escalation.lapse_overdue``, the sweeper's verb."""
        derived = instrument.due.derived_from if instrument.due else None
        instrument.apply(
            "lapse",
            actor="system",
            at=at,
            reason="the due time passed without an answer",
            changes={"derived_from": derived} if derived else {},
        )

    def _moot(self, instrument: Instrument, at: datetime) -> None:
        """``services.custody.follow_release`` as the person leaves (the reason is the
        custodian's, settled at the end: ``_leaving_reasons``)."""
        instrument.apply("moot", actor="system", at=at, reason=self.stay.release_reason)

    def _accept(self, instrument: Instrument, plan: Plan, at: datetime) -> None:
        """The U.S. Attorney takes the referral to court: a petition to enforce (unless the
        run has no instrument left to make it with)."""
        plan.escalate_at = None
        if self.budget < 1:
            return
        child = self._escalate(instrument, K.ENFORCEMENT_PETITION, at)
        self._live(child)

    def _reschedule(self, instrument: Instrument, plan: Plan, at: datetime) -> None:
        """``services.custody.follow_release`` as the expected release moves (an instrument
        whose due time does not move records nothing)."""
        plan.moves_seen += 1
        issued = instrument.issued_at or instrument.created_at
        self.stay.at(at)
        addressee = self._agency(instrument.addressee_agency_id)
        due = self.t.dues(instrument.kind, addressee, issued, self.person, None, at)
        instrument.reschedule(due, at=at, reason=self.stay.move_reason)

    # -- answers ---------------------------------------------------------------------------

    def _answer(self, instrument: Instrument, plan: Plan, at: datetime) -> None:
        plan.answer_at = None
        kind = instrument.kind
        if kind is K.REFERRAL:
            self._prosecutor_decides(instrument, at)
        elif kind is K.ENFORCEMENT_PETITION:
            self._court_rules(instrument, at)
        else:
            with suppress(NoRuleInForce):
                # The engine leaves the action to a lawyer: ``determine`` refuses to record an
                # answer, so the request waits (and lapses, or ends with the custody).
                self._jail_answers(instrument, at)

    def _jail_answers(self, instrument: Instrument, at: datetime) -> None:
        """``services.instruments.determine`` by the jail's counsel, under its law."""
        jail = self.parties.jail.agency
        self.stay.at(at)
        evaluated = self._evaluate(instrument, at)
        lawyer = username(jail, "legal")
        performed, override_reason = self._performed(instrument, evaluated)
        outcome = _outcome(instrument, performed, self.rng)
        named = tuple(performed) if outcome is Outcome.PARTIALLY_COMPLIED else ()
        done, released = answers.performed_actions(outcome, instrument.actions, named, ())
        found = answers.contradictions(
            instrument.actions, done, evaluated.record["result"]["actions"]
        )
        override = answers.checked_override(
            override_reason if found else None, lawyer, True, at, found
        )
        self.overrides += override is not None
        ordered = instrument.kind is K.COURT_ORDER and outcome is Outcome.COMPLIED
        reason = habits.COURT_ORDER_ANSWER if ordered else habits.REASONS[outcome]
        determination = Determination(
            outcome=outcome,
            reason=reason,
            released_fields=released,
            determined_by=lawyer,
            determined_at=at,
            evaluation=evaluated.record,
            actions_performed=done,
            override=override,
        )
        instrument.determine(determination)
        self.answered.append(Answered(instrument, determination, evaluated.text))
        self._handed_over(instrument, determination)
        release = release_for(self.t.mint("rel"), instrument, self.person, jail.id)
        if release is not None:
            self.releases.append(release)

    def _evaluate(self, instrument: Instrument, at: datetime) -> Evaluated:
        """``services.evaluation.evaluate_for_determination`` for a jail (which a pack always
        governs), through the run's templates."""
        jail = self.parties.jail
        as_of = at.astimezone(self.zone).date().isoformat()
        issuer = self.parties.office.component or "ice"
        pack = jail.agency.rule_pack or ""
        document = rule_document(pack, instrument, self.person, as_of, issuer)
        return self.t.evaluations.evaluate(document)

    def _performed(
        self, instrument: Instrument, evaluated: Evaluated
    ) -> tuple[list[str], str | None]:
        """What the jail does of what is asked: all its law requires, what it permits as
        readily as the jail goes, and now and then, on counsel's override, otherwise."""
        asked = instrument.actions
        status = {action: evaluated.status_of(action) for action in asked}
        lawful = [a for a in asked if status[a] in answers.LAWFUL_TO_PERFORM]
        willing = habits.WILLING.get(self.parties.jail.agency.rule_pack or "", 0.5)
        done = [a for a in lawful if status[a] == "required" or self.rng.random() < willing]
        if self.rng.random() >= habits.OVERRIDE_RATE:
            return done, None
        unlawful = [a for a in asked if a not in lawful]
        required = [a for a in asked if status[a] == "required"]
        if unlawful:
            done.append(self.rng.choice(unlawful))
        elif required:
            done.remove(self.rng.choice(required))
        return [a for a in asked if a in done], habits.OVERRIDE_REASON

    def _prosecutor_decides(self, instrument: Instrument, at: datetime) -> None:
        """The U.S. Attorney declines a referral it has acknowledged (accepting it is
        escalating it to a petition: ``_accept``)."""
        who = username(instrument.addressee_agency_id, "legal")
        ruling = Determination(Outcome.DECLINED, habits.REFERRAL_DECLINED, (), who, at)
        instrument.determine(ruling)
        self.answered.append(Answered(instrument, ruling, None))

    def _court_rules(self, instrument: Instrument, at: datetime) -> None:
        asked = [f for f in (disclosed_field(a) for a in instrument.actions) if f]
        roll = self.rng.random()
        outcome = Outcome.GRANTED if roll < 0.45 else Outcome.DENIED
        ordered: tuple[str, ...] = ()
        if 0.45 <= roll < 0.70 and len(asked) > 1:
            outcome = Outcome.GRANTED_NARROWED
            ordered = tuple(self.rng.sample(asked, self.rng.randint(1, len(asked) - 1)))
        who = username(instrument.addressee_agency_id, "legal")
        ruling = Determination(outcome, habits.REASONS[outcome], ordered, who, at)
        instrument.determine(ruling)
        self.answered.append(Answered(instrument, ruling, None))

    # -- the ladder ------------------------------------------------------------------------

    def _climb(self, instrument: Instrument) -> None:
        """Escalate a rested instrument when its party would, while the record lasts."""
        rung = next_rung(instrument.kind)
        if rung is None or self.budget < 1 or not self._climbs(instrument):
            return
        low, high = habits.CLIMB_DELAY[instrument.kind]
        at = instrument_last_at(instrument) + self._span(low, high)
        if at > self.t.now:
            return
        child = self._escalate(instrument, rung.target, at)
        self._live(child)

    def _climbs(self, instrument: Instrument) -> bool:
        if instrument.status is S.LAPSED and instrument.due and instrument.due.derived_from:
            # A lapse that the release set off is not the issuer's to see: it cannot escalate
            # what it sees as still open (``services.escalation`` refuses).
            return False
        if find_transition(instrument.kind, instrument.status, "escalate") is None:
            return False
        return self.rng.random() < habits.CLIMB_RATE[instrument.kind]

    def _escalate(self, parent: Instrument, kind: InstrumentKind, at: datetime) -> Instrument:
        """``services.escalation.escalate``: the next rung, appended to the case."""
        addressee = self._next_addressee(kind)
        return_date = self._return_date(at) if kind in habits.ISSUER_DATED else None
        self.stay.at(at)
        due = self._due(kind, addressee, at, return_date)
        actions = None
        if kind is K.ADMINISTRATIVE_SUBPOENA and not any(map(disclosed_field, parent.actions)):
            actions = habits.SUBPOENA_FIELDS
        actor = username(
            parent.addressee_agency_id
            if kind in habits.ADDRESSEE_CLIMBS
            else parent.issuer_agency_id,
            "legal" if kind in habits.ADDRESSEE_CLIMBS else "officer",
        )
        child = self._case().escalate(
            parent,
            Escalation(
                new_id=self.t.mint("ins"),
                addressee_agency_id=addressee.id,
                actions=actions,
                actor=actor,
                at=at,
                reason=habits.ESCALATION_REASONS[kind],
                due=due,
                reference=habits.REFERENCES.get(kind, ""),
            ),
        )
        self.budget -= 1
        self.escalations += 1
        return child

    def _next_addressee(self, kind: InstrumentKind) -> Agency:
        if kind is K.REFERRAL:
            return self.parties.prosecutor
        if kind is K.ENFORCEMENT_PETITION:
            return self.parties.court
        return self.parties.jail.agency

    def _return_date(self, at: datetime) -> datetime:
        """A return or compliance date on a business day where it is due, weeks ahead."""
        days = self.rng.randint(*habits.RETURN_BUSINESS_DAYS)
        due_day = self.calendar.business_days_after(at.astimezone(self.zone).date(), days)
        return datetime.combine(due_day, habits.DUE_LOCAL_TIME, tzinfo=self.zone)

    # -- the end -------------------------------------------------------------------------

    def _handed_over(self, instrument: Instrument, determination: Determination) -> None:
        """A person the jail holds on a detainer or transfer request leaves to the field
        office (transferred) rather than free."""
        leaves = self.stay.leaves_at
        holds = {"hold", "transfer"} & set(determination.actions_performed)
        if (
            instrument.kind in habits.HOLDING_KINDS
            and holds
            and leaves
            and determination.determined_at < leaves
        ):
            self.stay.transferred = True
            self.stay.destination = self.parties.office.id

    def _leaving_reasons(self) -> None:
        """Each request mooted as the person left says why they left, as the custodian
        recorded it (a handing over is known only once the holds are answered)."""
        if not self.stay.transferred:
            return
        for instrument in self._case().instruments:
            instrument.new_events[:] = [
                replace(e, reason=habits.HANDED_OVER) if e.transition == "moot" else e
                for e in instrument.new_events
            ]

    def _ending(self, case: Case) -> Story:
        self.stay.settle()
        self._leaving_reasons()
        case.instruments.sort(key=lambda i: i.issued_at or i.created_at)
        events = self._case_events()
        case.close_if_settled()
        views, parties = self.t.read_model.of(case, self.releases, events)
        return Story(
            person=self.person,
            case=case,
            events=events,
            answered=self.answered,
            releases=self.releases,
            issuer_views=views,
            parties=parties,
            calls=_calls(events),
            escalations=self.escalations,
            overrides=self.overrides,
        )

    def _case_events(self) -> list[InstrumentEvent]:
        case = self._case()
        position = {i.id: n for n, i in enumerate(case.instruments)}
        events = [e for i in case.instruments for e in i.new_events]
        # As the repository stores them: by time, and within one change by position.
        return sorted(events, key=lambda e: (e.at, position[e.instrument_id]))

    # -- helpers -------------------------------------------------------------------------

    def _case(self) -> Case:
        assert self.case is not None, "the case opens with the first request"
        return self.case

    def _agency(self, code: str) -> Agency:
        return self.t.agencies[code]

    def _due(
        self,
        kind: InstrumentKind,
        addressee: Agency,
        at: datetime,
        return_date: datetime | None = None,
    ) -> DueDate | None:
        self.stay.at(at)
        return self.t.dues(kind, addressee, at, self.person, return_date)

    def _moment(self, low: datetime, high: datetime) -> datetime:
        span = max((high - low).total_seconds(), 0.0)
        moment = low + timedelta(seconds=self.rng.uniform(0, span))
        return moment.replace(microsecond=0)

    def _span(self, low: timedelta, high: timedelta) -> timedelta:
        """A delay between ``low`` and ``high``, log-uniform: most answers come soon, some
        take long."""
        seconds = math.exp(
            self.rng.uniform(math.log(low.total_seconds()), math.log(high.total_seconds()))
        )
        return timedelta(seconds=round(seconds))


def _outcome(instrument: Instrument, performed: list[str], rng: random.Random) -> Outcome:
    if len(performed) == len(instrument.actions):
        return Outcome.COMPLIED
    if performed:
        return Outcome.PARTIALLY_COMPLIED
    contests = instrument.kind is K.ADMINISTRATIVE_SUBPOENA and rng.random() < 0.3
    return Outcome.CONTESTED if contests else Outcome.DECLINED


def instrument_last_at(instrument: Instrument) -> datetime:
    return instrument.new_events[-1].at


def _calls(events: list[InstrumentEvent]) -> int:
    """The service calls the events came from: one each, but an escalation records two (the
    parent's and the child's issue) and the person's leaving or a moved release one for every
    request it touches at once."""
    calls = len(events)
    calls -= sum(1 for e in events if e.transition == "escalate")
    grouped: dict[tuple[str, datetime], int] = {}
    for event in events:
        if event.transition in ("moot", "reschedule"):
            key = (event.transition, event.at)
            grouped[key] = grouped.get(key, 0) + 1
    return calls - sum(n - 1 for n in grouped.values())


__all__ = ["Story", "Storyteller", "username"]
