"""The evaluation in legal English: every decision, condition, qualifying or missing fact,
override and verification status as sentences a lawyer would write, generated from the rules'
condition trees, the phrasebook (:mod:`.phrasebook`) and the evaluation's trace. Nothing here
is written per rule: a new rule reads as well as the old ones, and a new fact without a phrase
fails a test.

``explain(evaluation, pack)`` is pure; the determination screen, the API's ``explanation``
fields and the answer letter all read the same :class:`Explanation`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from lexdesk.domain.rules import phrasebook as pb
from lexdesk.domain.rules.conditions import FACTS, AllOf, AnyOf, Compare, Condition, Not
from lexdesk.domain.rules.records import ChargePending, ConvictionIn, Miss, RecordFilter
from lexdesk.domain.rules.request import Charge, Conviction

if TYPE_CHECKING:
    from lexdesk.domain.rules.explain import ActionDecision, Evaluation
    from lexdesk.domain.rules.facts import Facts
    from lexdesk.domain.rules.pack import RulePack
    from lexdesk.domain.rules.plan import CompiledRule

#: Convictions or charges named one by one when explaining why none counts; more are counted.
NAMED_RECORDS = 5


@dataclass(frozen=True)
class Verification:
    """Whether the deciding provision's text was checked against the law, in words, with a
    link to the source: the primary text read (verified) or the official address (not)."""

    status: str  # verified | unconfirmed
    text: str
    url: str
    link_text: str

    def to_json(self) -> dict[str, str]:
        return {
            "status": self.status,
            "text": self.text,
            "url": self.url,
            "link_text": self.link_text,
        }


@dataclass(frozen=True)
class ActionExplanation:
    """One requested action: the decision, why (the provision's condition and the facts that
    met it, what it prevails over), the provisions that did not apply and why, what would
    change the answer, notes (unconfirmed entries, duties, the hold limit), and whether the
    deciding text was verified."""

    action: str
    status: str
    decision: str
    reasons: tuple[str, ...]
    not_applying: tuple[str, ...]
    would_change: tuple[str, ...]
    notes: tuple[str, ...]
    verification: Verification | None

    def sentences(self) -> list[str]:
        verified = [self.verification.text] if self.verification else []
        return [
            self.decision,
            *self.reasons,
            *self.not_applying,
            *self.would_change,
            *self.notes,
            *verified,
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "status": self.status,
            "decision": self.decision,
            "reasons": list(self.reasons),
            "not_applying": list(self.not_applying),
            "would_change": list(self.would_change),
            "notes": list(self.notes),
            "verification": self.verification.to_json() if self.verification else None,
        }


@dataclass(frozen=True)
class Explanation:
    summary: str
    actions: tuple[ActionExplanation, ...]

    def sentences(self) -> list[str]:
        return [self.summary, *(s for a in self.actions for s in a.sentences())]

    def paragraphs(self) -> list[str]:
        """The explanation as a letter's paragraphs: the summary, then one per action."""
        return [self.summary, *(" ".join(a.sentences()) for a in self.actions)]

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary, "actions": [a.to_json() for a in self.actions]}


def explain(evaluation: Evaluation, pack: RulePack) -> Explanation:
    """The evaluation in legal English. ``pack`` is the pack evaluated (its versions and
    layers name the jurisdiction and the sources read)."""
    as_of = evaluation.request.as_of
    stack = pack.stack_on(as_of)
    version = stack[0][1]
    sources = {s.url: s.title for _, v in stack for s in v.sources}
    kind = pb.kind(evaluation.request.instrument.kind.value)
    summary = pb.sentence(
        f"Under the law of {version.jurisdiction} in force on {pb.day(as_of)} "
        f"({version.title}), as it applies to this {kind}: "
        f"{_lower_first(pb.OUTCOMES[evaluation.outcome])}"
    )
    actions = tuple(_action(decision, kind, sources) for decision in evaluation.decisions.values())
    return Explanation(summary, actions)


def _action(decision: ActionDecision, kind: str, sources: dict[str, str]) -> ActionExplanation:
    subject = pb.action(decision.action)
    facts, resolution = decision.facts, decision.resolution
    said: set[str] = set()
    if resolution.status is None:
        rules = resolution.deciding
        named = "; ".join(_cited(r) for r in rules)
        return ActionExplanation(
            decision.action,
            "conflict",
            pb.sentence(
                f"{subject} cannot be decided: these provisions are all in force and disagree, "
                f"and none is an exception to another: {named}. A lawyer must decide which "
                "prevails"
            ),
            (),
            _not_applying(decision, kind, said),
            (),
            (),
            None,
        )
    rule = decision.rule
    status = pb.STATUSES[resolution.status]
    decided = pb.sentence(f"{subject} is {status} under {rule.spec.citation}: {rule.spec.label}")
    reasons = [_condition_sentence(rule.spec.when, decision.action)]
    reasons += _met(rule.spec.when, facts, kind, decision.action)
    reasons += [
        pb.sentence(f"{r.spec.citation} leads to the same answer: {r.spec.label}")
        for r in resolution.deciding[1:]
    ]
    reasons += [_prevails(decision, other) for other in resolution.overridden]
    said.update(reasons)
    notes = [_turns_on(note) for note in decision.turns_on()]
    notes += [
        pb.sentence(f"The law also requires, under {d.spec.citation}: {d.spec.label}")
        for d in decision.duties()
    ]
    if decision.hold_limit is not None:
        limit = decision.hold_limit
        counted = (
            "counted in clock hours"
            if limit.counting == "clock_hours"
            else "not counting Saturdays, Sundays and holidays"
        )
        notes.append(
            pb.sentence(
                f"A hold may last at most {limit.hours} hours past the time the person would "
                f"otherwise be released, {counted} ({limit.citation})"
            )
        )
    return ActionExplanation(
        decision.action,
        resolution.status,
        decided,
        tuple(_unique(reasons)),
        _not_applying(decision, kind, said),
        tuple(_would_change(decision, subject)),
        tuple(_unique(notes)),
        _verification(rule, sources),
    )


# -- conditions as noun phrases ------------------------------------------------------------


def condition_phrase(condition: Condition, action: str = "") -> str:
    """A condition as a noun phrase that reads after "with": "a judicial warrant and either a
    conviction for a listed violent or serious crime within 5 years of the arrest or a
    possible match in the terrorist screening database"."""
    return _np(condition, action, top=True)


def _condition_sentence(when: Condition | None, action: str) -> str:
    if when is None:
        return (
            "That provision states the general rule: it applies unless a provision that "
            "prevails over it does."
        )
    if isinstance(when, Not):
        return pb.sentence(f"That provision applies only without {_np(when.item, action)}")
    return pb.sentence(f"That provision applies only with {condition_phrase(when, action)}")


def _np(condition: Condition, action: str, top: bool = False) -> str:
    if isinstance(condition, AllOf):
        parts = [_np(item, action) for item in condition.items]
        return _join(parts, "and", wrap=not top)
    if isinstance(condition, AnyOf):
        parts = [_np(item, action) for item in condition.items]
        return _join(parts, "or", wrap=not top)
    if isinstance(condition, Not):
        inner = condition.item
        if isinstance(inner, AllOf | AnyOf):
            return f"none of the following: {_np(inner, action, top=True)}"
        return pb.absent(_np(inner, action))
    if isinstance(condition, ConvictionIn):
        return _conviction_np(condition)
    if isinstance(condition, ChargePending):
        return _charge_np(condition)
    if isinstance(condition, Compare):
        return _compare_np(condition, action)
    raise pb.MissingPhrase(f"no phrase for the condition {type(condition).__name__}")


def _join(parts: list[str], word: str, wrap: bool) -> str:
    """Two parts: "A and B"; more, or parts with commas: "A; B; and C". Nested in another
    list, "either ... or" and "both ... and" keep the grouping plain."""
    if len(parts) == 2 and not any("," in p or ";" in p for p in parts):
        joined = f"{parts[0]} {word} {parts[1]}"
    else:
        separator = "; " if any("," in p for p in parts) or len(parts) > 3 else ", "
        joined = separator.join(parts[:-1]) + f"{separator}{word} {parts[-1]}"
    if not wrap:
        return joined
    return f"{'either' if word == 'or' else 'both'} {joined}"


def _compare_np(condition: Compare, action: str) -> str:
    path, operation = condition.path, condition.operation
    if path == pb.PUBLIC:
        return _public_np(action)
    if operation == "fact":
        return pb.flag(path)
    if operation in ("eq", "in"):
        phrases = [pb.choice(path, value) for value in condition.values]
        if path == "instrument.warrant" and len(phrases) > 1:
            adjectives = [pb.without_article(p).removesuffix(" warrant") for p in phrases]
            article = phrases[0].split(" ", 1)[0]
            return f"{article} {' or '.join(adjectives)} warrant"
        return " or ".join(phrases)
    noun = pb.DATES.get(path)
    if noun is None:
        raise pb.MissingPhrase(f"no phrase for the date {path}: add it to the phrasebook")
    limit = condition.values[0]
    assert isinstance(limit, date)
    when = "before" if operation == "before" else "on or after"
    return f"{noun} {when} {pb.day(limit)}"


def _public_np(action: str) -> str:
    from lexdesk.domain.rules.facts import disclosed_field

    field = disclosed_field(action)
    what = pb.field(field) if field else "the information asked for"
    return f"{what} already available to the public"


def _offense_np(record: RecordFilter) -> str:
    """What the offense must be: "a listed violent or serious crime", "an offense punishable
    in the state prison", "a covered crime"; empty when any offense will do."""
    if record.table is not None:
        what = pb.listed(record.table.name).listed
        if record.not_in is not None:
            what += f" that is not {pb.listed(record.not_in.name).listed}"
    elif record.not_in is not None:
        what = pb.listed(record.not_in.name).not_listed()
    elif record.klass is not None or record.state_prison is not None:
        what = "an offense"
    else:
        return ""
    qualities = []
    if record.klass is not None:
        qualities.append(pb.CLASSES[record.klass])
    if record.state_prison is not None:
        qualities.append(
            "punishable in the state prison"
            if record.state_prison
            else "not punishable in the state prison"
        )
    if qualities:
        what += " that is " + " and ".join(qualities)
    return what


def _conviction_np(condition: ConvictionIn) -> str:
    record = condition.filter
    head = f"a {record.level} conviction" if record.level else "a conviction"
    offense = _offense_np(record)
    phrase = f"{head} for {offense}" if offense else head
    if condition.within_years is not None:
        entered = "entered " if condition.counted_from == "judgment" else ""
        phrase += f" {entered}within {condition.within_years} years of the arrest"
    return phrase


def _charge_np(condition: ChargePending) -> str:
    record = condition.filter
    head = f"a pending {record.level} charge" if record.level else "a pending charge"
    offense = _offense_np(record)
    phrase = f"{head} for {offense}" if offense else head
    if condition.probable_cause:
        phrase += " on which a magistrate found probable cause"
    return phrase


# -- what met a condition, what failed ---------------------------------------------------


def _met(when: Condition | None, facts: Facts, kind: str, action: str) -> list[str]:
    """The facts that made the deciding provision apply, naming the conviction or charge."""
    if when is None:
        return []
    return [s for leaf in _holding_leaves(when, facts) for s in _seen(leaf, facts, kind, action)]


def _holding_leaves(condition: Condition, facts: Facts) -> list[Condition]:
    if isinstance(condition, AllOf | AnyOf):
        return [
            leaf
            for item in condition.items
            if item.holds(facts)
            for leaf in _holding_leaves(item, facts)
        ]
    return [condition]


def _seen(leaf: Condition, facts: Facts, kind: str, action: str) -> list[str]:
    """What the record shows about one leaf of a condition, in sentences."""
    if isinstance(leaf, Not):
        return [s for inner in leaf.leaves() for s in _seen(inner, facts, kind, action)]
    if isinstance(leaf, ConvictionIn):
        return _convictions_seen(leaf, facts)
    if isinstance(leaf, ChargePending):
        return _charges_seen(leaf, facts)
    if not isinstance(leaf, Compare):
        return []
    path = leaf.path
    value = getattr(facts, FACTS[path].attribute)
    if path == pb.PUBLIC:
        what = _public_np(action).removesuffix(" already available to the public")
        is_public = "is already" if value else "is not"
        return [pb.sentence(f"{what} {is_public} available to the public")]
    if leaf.operation == "fact":
        shows = "shows" if value else "does not show"
        return [pb.sentence(f"The record {shows} {pb.flag(path)}")]
    if path == "instrument.warrant":
        return [pb.sentence(f"The {kind} came with {pb.choice(path, value)}")]
    if path == "instrument.issuer":
        return [pb.sentence(f"The {kind} was issued by {pb.ISSUERS[str(value)]}")]
    noun = pb.DATES.get(path, "the date")
    if value is None:
        return [pb.sentence(f"No date is recorded for {noun}")]
    return [pb.sentence(f"The date of {pb.without_article(noun)} is {pb.day(value)}")]


def _convictions_seen(leaf: ConvictionIn, facts: Facts) -> list[str]:
    wanted = _conviction_np(leaf)
    found = [c for c in facts.convictions if leaf.miss(c, facts) is None]
    if found:
        return [
            pb.sentence(
                f"The conviction for {_named(leaf.filter, c.offense, facts.as_of)}, "
                f"entered on {pb.day(c.date)}{_released(c)}, qualifies as {wanted}"
            )
            for c in found
        ]
    if not facts.convictions:
        return ["No conviction is recorded."]
    out = []
    for c in facts.convictions[:NAMED_RECORDS]:
        miss = leaf.miss(c, facts)
        assert miss is not None
        out.append(
            pb.sentence(
                f"The conviction for {_named(leaf.filter, c.offense, facts.as_of)}, entered on "
                f"{pb.day(c.date)}, is not {wanted}: {_missed(miss, leaf, c, facts)}"
            )
        )
    more = len(facts.convictions) - NAMED_RECORDS
    if more > 0:
        out.append(pb.sentence(f"Nor is any of the {more} other convictions recorded"))
    return out


def _charges_seen(leaf: ChargePending, facts: Facts) -> list[str]:
    wanted = _charge_np(leaf)
    found = [c for c in facts.pending_charges if leaf.miss(c, facts) is None]
    if found:
        return [
            pb.sentence(
                f"The charge of {_named(leaf.filter, c.offense, facts.as_of)}, pending since "
                f"{pb.day(c.date)}, qualifies as {wanted}"
            )
            for c in found
        ]
    if not facts.pending_charges:
        return ["No pending charge is recorded."]
    out = []
    for c in facts.pending_charges[:NAMED_RECORDS]:
        miss = leaf.miss(c, facts)
        assert miss is not None
        out.append(
            pb.sentence(
                f"The pending charge of {_named(leaf.filter, c.offense, facts.as_of)} is not "
                f"{wanted}: {_missed(miss, leaf, c, facts)}"
            )
        )
    more = len(facts.pending_charges) - NAMED_RECORDS
    if more > 0:
        out.append(pb.sentence(f"Nor is any of the {more} other pending charges recorded"))
    return out


def _named(record: RecordFilter, code: str, on: date) -> str:
    entry = record.describe_offense(code, on)
    if entry is None and record.not_in is not None:
        listed = record.not_in.listed(code, on)
        entry = listed[0] if listed else None
    return f"{code} ({entry.name})" if entry is not None else code


def _released(conviction: Conviction) -> str:
    if conviction.released_on is None or conviction.released_on <= conviction.date:
        return ""
    return f" (released from its sentence on {pb.day(conviction.released_on)})"


def _missed(
    miss: Miss, leaf: ConvictionIn | ChargePending, record: Conviction | Charge, facts: Facts
) -> str:
    """Why one conviction or charge does not meet a condition, in words."""
    code, value = miss.code, miss.value
    table = pb.listed(miss.table.name) if miss.table is not None else None
    if miss.kind == "unlisted" and table is not None:
        return f"{code} is not {table.listed}"
    if miss.kind == "excluded" and table is not None:
        return f"{code} is {table.listed}"
    if miss.kind == "level_only":
        return f"{code} counts only as a {value} conviction"
    if miss.kind == "no_offense_entry":
        return f"the offense table does not say what class of offense {code} is"
    if miss.kind == "class":
        found = pb.CLASSES.get(str(value), "an offense of unknown class")
        return f"{code} is {found}"
    if miss.kind == "prison":
        return f"{code} is {'not ' if value else ''}punishable in the state prison"
    if miss.kind == "level_unknown":
        return (
            f"the record does not say whether the judgment on {code} was a felony or a misdemeanor"
        )
    if miss.kind == "level":
        return f"the judgment on {code} was a {value}"
    if miss.kind == "youthful":
        return "it was a youthful-offender adjudication, which is not a conviction"
    if miss.kind == "later":
        return f"it was entered after {pb.day(facts.as_of)}"
    if miss.kind == "too_old" and isinstance(record, Conviction) and isinstance(leaf, ConvictionIn):
        counted = leaf.counted_from != "judgment" and record.window_start != record.date
        start = record.window_start if counted else record.date
        since = "the release from its sentence" if counted else "the judgment"
        anchor = "the arrest" if facts.arrested_on else "the date of this evaluation"
        return (
            f"more than {value} years passed between {since} on {pb.day(start)} and "
            f"{anchor} on {pb.day(facts.anchor)}"
        )
    if miss.kind == "no_probable_cause":
        return "no magistrate found probable cause on it"
    raise pb.MissingPhrase(f"no phrase for why a record does not count ({miss.kind})")


# -- the provisions that did not apply, what would change the answer -----------------------


def _not_applying(decision: ActionDecision, kind: str, said: set[str]) -> tuple[str, ...]:
    out: list[str] = []
    for rule, _ in decision.failed():
        when = rule.spec.when
        assert when is not None
        why = [
            s for s in _failed_facts(when, decision.facts, kind, decision.action) if s not in said
        ]
        said.update(why)
        needs = _condition_sentence(when, decision.action).removeprefix("That provision ")
        text = f"{rule.spec.citation} does not apply ({rule.spec.label}): it {needs}"
        out.append(" ".join([pb.sentence(text.removesuffix(".")), *why]))
    return tuple(out)


def _failed_facts(condition: Condition, facts: Facts, kind: str, action: str) -> list[str]:
    """What the record shows on each part of a condition that failed."""
    if isinstance(condition, AllOf):
        return _unique(
            s
            for item in condition.items
            if not item.holds(facts)
            for s in _failed_facts(item, facts, kind, action)
        )
    if isinstance(condition, AnyOf):
        records = [i for i in condition.items if isinstance(i, ConvictionIn | ChargePending)]
        if len(records) < 2:
            return _unique(
                s for item in condition.items for s in _failed_facts(item, facts, kind, action)
            )
        out = _records_meet_none(records, facts)
        out += [
            s
            for item in condition.items
            if item not in records
            for s in _failed_facts(item, facts, kind, action)
        ]
        return _unique(out)
    return _seen(condition, facts, kind, action)


def _records_meet_none(records: list[ConvictionIn | ChargePending], facts: Facts) -> list[str]:
    """Several conditions on the record, none met: each conviction and charge once, with
    every reason it meets none of them."""
    out: list[str] = []
    convictions = [r for r in records if isinstance(r, ConvictionIn)]
    charges = [r for r in records if isinstance(r, ChargePending)]
    if convictions:
        if not facts.convictions:
            out.append("No conviction is recorded.")
        for c in facts.convictions[:NAMED_RECORDS]:
            why = _unique(
                _missed(miss, leaf, c, facts)
                for leaf in convictions
                if (miss := leaf.miss(c, facts)) is not None
            )
            out.append(
                pb.sentence(
                    f"The conviction for {_named(convictions[0].filter, c.offense, facts.as_of)}, "
                    f"entered on {pb.day(c.date)}, meets none of the conditions on a "
                    f"conviction: {'; '.join(why)}"
                )
            )
    if charges:
        if not facts.pending_charges:
            out.append("No pending charge is recorded.")
        for ch in facts.pending_charges[:NAMED_RECORDS]:
            why = _unique(
                _missed(miss, leaf, ch, facts)
                for leaf in charges
                if (miss := leaf.miss(ch, facts)) is not None
            )
            out.append(
                pb.sentence(
                    f"The pending charge of {_named(charges[0].filter, ch.offense, facts.as_of)} "
                    f"meets none of the conditions on a pending charge: {'; '.join(why)}"
                )
            )
    return out


def _would_change(decision: ActionDecision, subject: str) -> list[str]:
    out = []
    for change in decision.missing():
        if change.record is not None:
            what = (
                _conviction_np(change.record)
                if isinstance(change.record, ConvictionIn)
                else _charge_np(change.record)
            )
        elif change.fact == "person.public_information":
            what = f"{pb.field(str(change.value))} already available to the public"
        elif change.fact in pb.FLAGS:
            what = pb.flag(change.fact) if change.value is True else pb.absent(pb.flag(change.fact))
        else:
            what = pb.choice(change.fact, change.value)
        status = pb.STATUSES[change.status]
        out.append(pb.sentence(f"With {what}, {_lower_first(subject)} would be {status}"))
    return out


def _prevails(decision: ActionDecision, other: CompiledRule) -> str:
    """Why a provision in force gives way, naming the provision that displaces it."""
    plan = decision.plan
    j = plan.rules.index(other)
    holding = decision.resolution.deciding + decision.resolution.holding
    winner = next(
        (r for r in holding if r is not other and plan.defeats[plan.rules.index(r)] >> j & 1),
        decision.rule,
    )
    them = f"{other.spec.citation} ({other.spec.label})"
    who = "It" if winner is decision.rule else winner.spec.citation
    if other.id in winner.spec.exception_to:
        how = f"is an exception to {them}, which therefore gives way"
    elif winner.spec.precedence == "floor":
        how = f"sets a minimum that {them} cannot lower"
    elif winner.spec.precedence == "ceiling":
        how = f"sets a limit that {them} cannot exceed"
    elif other.spec.precedence == "floor":
        how = f"asks more than the minimum that {them} sets, as it may"
    elif other.spec.precedence == "ceiling":
        how = f"asks less than the limit that {them} sets, as it may"
    else:
        how = f"is an exception to a provision that is itself an exception to {them}"
    return pb.sentence(f"{who} {how}")


def _turns_on(note: dict[str, Any]) -> str:
    phrase = pb.listed(str(note["table"])).listed
    code = note["offense"]
    if note["listed"]:
        return pb.sentence(
            f"The answer rests on {code} being {phrase}, and that entry of the list was not "
            "checked against the text of the law: confirm it before relying on the answer"
        )
    return pb.sentence(
        f"The answer rests on {code} not being {phrase}, and some entries of that list were "
        "not checked against the text of the law: confirm whether it belongs there"
    )


def _verification(rule: CompiledRule, sources: dict[str, str]) -> Verification:
    spec = rule.spec
    checked = spec.verification
    if checked.status == "verified" and checked.read_on is not None:
        title = sources.get(checked.read_at, "the primary text")
        return Verification(
            "verified",
            pb.sentence(
                f"Verified: the text of {spec.citation} was transcribed from the law itself "
                f"({title}), read on {pb.day(checked.read_on)}"
            ),
            checked.read_at,
            f"The text as read: {title}",
        )
    return Verification(
        "unconfirmed",
        pb.sentence(
            f"Unconfirmed: the text of {spec.citation} was not checked against an official "
            f"copy of the law, so this answer may not reflect it. What was read: "
            f"{checked.source.strip().removesuffix('.')}. Check the provision "
            "at its source before relying on the answer"
        ),
        spec.url,
        f"{spec.citation} at its source",
    )


def _cited(rule: CompiledRule) -> str:
    return f"{rule.spec.citation} ({rule.spec.label}: {rule.spec.effect})"


def _lower_first(text: str) -> str:
    """Our own phrases ("The law requires ...", "Holding the person ...") mid-sentence."""
    return text[:1].lower() + text[1:]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
