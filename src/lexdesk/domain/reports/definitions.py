"""A report definition: what a statute (or the desk's own general report) requires an agency to
publish, each figure stated in terms of lexdesk's record.

A figure counts one *base* of the record within the period: instruments the agency received
(``received``), answers it gave (``answered``), requests that lapsed unanswered (``lapsed``),
escalations of its answers (``escalated``), court rulings on petitions about its records
(``court_ruling``), or the median hours from receipt to answer (``hours_to_answer``). It counts
instruments or distinct persons, filtered by kind, outcome, action performed and override, and
may be broken down by up to two dimensions. A figure the record cannot supply (the State
Criminal Alien Assistance funding of § 9-131(f)(6)) says so in ``not_in_record``.

The statute's text carries a verification like a rule's (docs/adr/0011); each figure carries its
own, which is ``unconfirmed`` whenever its mapping onto the record is an interpretation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from lexdesk.domain.rules.errors import PackError
from lexdesk.domain.rules.evidence import (
    Source,
    Verification,
    check_provenance,
    parse_source,
    parse_verification,
)
from lexdesk.domain.rules.source import Node, load_document
from lexdesk.domain.vocabulary import AgencyKind, InstrumentKind, Outcome

E = TypeVar("E", bound=StrEnum)


class ReportDefinitionError(PackError):
    """A report definition file breaks the schema (``file:line: key: what``)."""


class PeriodKind(StrEnum):
    CALENDAR_YEAR = "calendar_year"
    #: New York City's fiscal year, 1 July to 30 June, named for the year it ends in.
    FISCAL_YEAR = "fiscal_year"
    QUARTER = "quarter"


class Base(StrEnum):
    RECEIVED = "received"
    ANSWERED = "answered"
    LAPSED = "lapsed"
    ESCALATED = "escalated"
    COURT_RULING = "court_ruling"
    HOURS_TO_ANSWER = "hours_to_answer"


class Count(StrEnum):
    INSTRUMENTS = "instruments"
    PERSONS = "persons"


class Dimension(StrEnum):
    KIND = "kind"
    OUTCOME = "outcome"
    WARRANT = "warrant"
    #: The rule the engine applied to the instrument's first requested action.
    RULE = "rule"
    #: The agency that issued the instrument (§ 10-178(d): "the requesting ... agency").
    REQUESTER = "requester"


#: Which dimensions each base can be broken down by.
DIMENSIONS: dict[Base, frozenset[Dimension]] = {
    Base.RECEIVED: frozenset({Dimension.KIND, Dimension.WARRANT, Dimension.REQUESTER}),
    Base.ANSWERED: frozenset(Dimension),
    Base.LAPSED: frozenset({Dimension.KIND, Dimension.WARRANT, Dimension.REQUESTER}),
    Base.ESCALATED: frozenset({Dimension.KIND, Dimension.WARRANT, Dimension.REQUESTER}),
    Base.COURT_RULING: frozenset({Dimension.OUTCOME, Dimension.REQUESTER}),
    Base.HOURS_TO_ANSWER: frozenset(),
}
PERFORMABLE = ("hold", "notify_release", "transfer", "disclose")


@dataclass(frozen=True)
class Measure:
    base: Base
    count: Count = Count.INSTRUMENTS
    kinds: tuple[InstrumentKind, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    #: Only answers that performed this action (``disclose`` for any disclosure).
    performed: str = ""
    #: Only answers that overrode the rule engine's evaluation.
    override: bool = False


@dataclass(frozen=True)
class Figure:
    id: str
    label: str
    citation: str
    definition: str
    verification: Verification
    measure: Measure | None
    by: tuple[Dimension, ...] = ()
    #: Why the record cannot supply this figure, when it cannot.
    not_in_record: str = ""


@dataclass(frozen=True)
class ReportDefinition:
    id: str
    version: str
    title: str
    citation: str
    url: str
    agency_kinds: tuple[AgencyKind, ...]
    #: The rule packs of the agencies the report is for; empty: any agency of those kinds.
    rule_packs: tuple[str, ...]
    period: PeriodKind
    threshold: int
    sources: tuple[Source, ...]
    verification: Verification
    notes: str
    figures: tuple[Figure, ...]

    def applies_to(self, kind: str, rule_pack: str | None) -> bool:
        if kind not in self.agency_kinds:
            return False
        return not self.rule_packs or rule_pack in self.rule_packs

    def figure(self, figure_id: str) -> Figure:
        return next(f for f in self.figures if f.id == figure_id)


TOP_KEYS = (
    "id",
    "version",
    "title",
    "citation",
    "url",
    "applies_to",
    "period",
    "suppression",
    "sources",
    "verification",
    "figures",
)


def parse_definition(text: str, filename: str) -> ReportDefinition:
    try:
        root = Node.root(load_document(text, filename))
        return _definition(root)
    except ReportDefinitionError:
        raise
    except PackError as error:
        raise ReportDefinitionError(str(error)) from None


def _definition(root: Node) -> ReportDefinition:
    root.mapping(required=TOP_KEYS, optional=("notes",))
    sources = tuple(parse_source(node) for node in root.child("sources").entries())
    verification = parse_verification(root.child("verification"))
    check_provenance(root.child("verification"), verification, sources)
    applies = root.child("applies_to")
    applies.mapping(required=("agency_kinds",), optional=("rule_packs",))
    kinds = tuple(
        _choice(n, AgencyKind, "agency kind") for n in applies.child("agency_kinds").entries()
    )
    packs = applies.child("rule_packs").text_list() if applies.has("rule_packs") else ()
    suppression = root.child("suppression")
    suppression.mapping(required=("threshold",))
    threshold = suppression.child("threshold").integer()
    if threshold < 1:
        suppression.child("threshold").fail("a threshold is a count of at least 1")
    figures = tuple(_figure(node, sources) for node in root.child("figures").entries())
    seen: set[str] = set()
    for node, figure in zip(root.child("figures").entries(), figures, strict=True):
        if figure.id in seen:
            node.child("id").fail(f"figure {figure.id!r} is defined twice")
        seen.add(figure.id)
    if not figures:
        root.child("figures").fail("a report has at least one figure")
    report_id = root.child("id").text()
    if not report_id.replace("-", "").isalnum() or report_id != report_id.lower():
        root.child("id").fail("an id is lower-case letters, digits and hyphens")
    return ReportDefinition(
        id=report_id,
        version=str(root.child("version").text()),
        title=root.child("title").text(),
        citation=root.child("citation").text(),
        url=root.child("url").text(),
        agency_kinds=kinds,
        rule_packs=packs,
        period=_choice(root.child("period"), PeriodKind, "period"),
        threshold=threshold,
        sources=sources,
        verification=verification,
        notes=root.child("notes").text_or(""),
        figures=figures,
    )


FIGURE_KEYS = ("id", "label", "citation", "definition", "verification")


def _figure(node: Node, sources: tuple[Source, ...]) -> Figure:
    node.mapping(required=FIGURE_KEYS, optional=("measure", "by", "not_in_record"))
    verification = parse_verification(node.child("verification"))
    check_provenance(node.child("verification"), verification, sources)
    figure_id = node.child("id").text()
    if not figure_id.replace("_", "").isalnum() or figure_id != figure_id.lower():
        node.child("id").fail("a figure id is snake_case (it names a CSV column)")
    if node.has("measure") == node.has("not_in_record"):
        node.fail("a figure has either a measure or not_in_record (why the record lacks it)")
    measure = _measure(node.child("measure")) if node.has("measure") else None
    by = (
        tuple(_choice(n, Dimension, "dimension") for n in node.child("by").entries())
        if node.has("by")
        else ()
    )
    if len(by) > 2 or len(set(by)) != len(by):
        node.child("by").fail("a figure is broken down by at most two different dimensions")
    if measure is not None and by and measure.count is Count.PERSONS:
        node.child("by").fail(
            "a count of persons is not broken down: one person may fall in several cells, "
            "and the totals would not add up (count instruments instead)"
        )
    if measure is not None:
        allowed = DIMENSIONS[measure.base]
        for index, dimension in enumerate(by):
            if dimension not in allowed:
                names = ", ".join(sorted(allowed)) or "nothing"
                node.child("by").child(index).fail(
                    f"a {measure.base.value} figure cannot be broken down by {dimension.value}: "
                    f"use {names}"
                )
    return Figure(
        id=figure_id,
        label=node.child("label").text(),
        citation=node.child("citation").text(),
        definition=" ".join(node.child("definition").text().split()),
        verification=verification,
        measure=measure,
        by=by,
        not_in_record=" ".join(node.child("not_in_record").text_or("").split()),
    )


def _measure(node: Node) -> Measure:
    node.mapping(
        required=("base",), optional=("count", "kinds", "outcomes", "performed", "override")
    )
    base = _choice(node.child("base"), Base, "base")
    kinds = (
        tuple(_choice(n, InstrumentKind, "instrument kind") for n in node.child("kinds").entries())
        if node.has("kinds")
        else ()
    )
    outcomes = (
        tuple(_choice(n, Outcome, "outcome") for n in node.child("outcomes").entries())
        if node.has("outcomes")
        else ()
    )
    performed = node.child("performed").text_or("")
    if performed and performed not in PERFORMABLE:
        node.child("performed").fail(f"unknown action {performed!r}: use {', '.join(PERFORMABLE)}")
    override = node.child("override").value
    if override is not None and not isinstance(override, bool):
        node.child("override").fail("override is true or false")
    answers_only = bool(outcomes or performed or override)
    if answers_only and base not in (Base.ANSWERED, Base.HOURS_TO_ANSWER, Base.COURT_RULING):
        node.fail("outcomes, performed and override filter answers: use base answered")
    return Measure(
        base=base,
        count=_choice(node.child("count"), Count, "count")
        if node.has("count")
        else Count.INSTRUMENTS,
        kinds=kinds,
        outcomes=outcomes,
        performed=performed,
        override=bool(override),
    )


def _choice(node: Node, choices: type[E], what: str) -> E:
    value = node.text()
    try:
        return choices(value)
    except ValueError:
        known = ", ".join(choice.value for choice in choices)
        node.fail(f"unknown {what} {value!r}: use one of {known}")


@dataclass(frozen=True)
class ReportCatalog:
    """Every version of every report, the latest last."""

    versions: dict[str, tuple[ReportDefinition, ...]]

    def ids(self) -> list[str]:
        return sorted(self.versions)

    def latest(self) -> list[ReportDefinition]:
        return [self.versions[report_id][-1] for report_id in self.ids()]

    def get(self, report_id: str, version: str | None = None) -> ReportDefinition:
        found = self.versions.get(report_id)
        if not found:
            known = ", ".join(self.ids())
            raise ReportDefinitionError(f"no report {report_id!r}: the reports are {known}")
        if version is None:
            return found[-1]
        for definition in found:
            if definition.version == version:
                return definition
        known = ", ".join(d.version for d in found)
        raise ReportDefinitionError(
            f"report {report_id!r} has no version {version!r}: its versions are {known}"
        )


def build_report_catalog(files: dict[str, list[tuple[str, str]]]) -> ReportCatalog:
    """``files``: per report folder, its version files as (name, text). Each file's id and
    version must match its folder and file name."""
    versions: dict[str, tuple[ReportDefinition, ...]] = {}
    for folder, entries in sorted(files.items()):
        parsed = []
        for filename, text in sorted(entries):
            definition = parse_definition(text, filename)
            stem = filename.rsplit("/", 1)[-1].removesuffix(".yaml")
            if definition.id != folder or definition.version != stem:
                raise ReportDefinitionError(
                    f"{filename}:1: the file of report {definition.id!r} version "
                    f"{definition.version!r} must be {definition.id}/{definition.version}.yaml"
                )
            parsed.append(definition)
        versions[folder] = tuple(parsed)
    return ReportCatalog(versions)
