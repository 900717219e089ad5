"""A jail's roster, imported: who is in custody, under which identifiers, until when.

Each row is accepted or rejected with a reason, in a report. The accepted rows are applied in
one unit of work, all or nothing: a new person is booked, a known one who is not in custody is
booked again, one in custody gets the expected release the roster gives (the clocks that run
from it move with it). Importing the same roster twice changes nothing the second time. A
person missing from the roster is not released: a release is recorded as such, never guessed.
The columns are documented in docs/roster.md.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from lexdesk.domain.errors import InvalidInput, LexdeskError, NotFound, NotPermitted
from lexdesk.domain.ids import new_id
from lexdesk.domain.limits import within
from lexdesk.domain.permissions import Permission
from lexdesk.domain.persons import Charge, Custody, Identifier, IdentifierScheme, Person
from lexdesk.services import audit
from lexdesk.services.authorization import authorize, require_custodian
from lexdesk.services.context import Desk, acting_user, agency, audit_actor
from lexdesk.services.custody import follow_release
from lexdesk.services.ports import UnitOfWork

SCHEMES = tuple(s.value for s in IdentifierScheme)
REQUIRED = ("family_name", "given_name", "arrested_on", "booked_at")
OPTIONAL = (
    "date_of_birth",
    "place_of_birth",
    "citizenship",
    "expected_release_at",
    "charge_offense",
    "charge_class",
)
COLUMNS = (*SCHEMES, *REQUIRED, *OPTIONAL)
MAX_ROWS = 1_000_000
#: How long each text column may be: what the records hold.
LONGEST = {
    **dict.fromkeys(SCHEMES, 100),
    "family_name": 200,
    "given_name": 200,
    "place_of_birth": 200,
    "citizenship": 100,
    "charge_offense": 60,
    "charge_class": 20,
}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class RosterRow:
    line: int
    identifiers: tuple[Identifier, ...]
    family_name: str
    given_name: str
    arrested_on: date
    booked_at: datetime
    expected_release_at: datetime | None
    date_of_birth: date | None
    place_of_birth: str
    citizenship: str
    charges: tuple[Charge, ...]


@dataclass(frozen=True)
class RowResult:
    line: int
    outcome: str  # booked, rebooked, updated, unchanged, rejected
    reason: str = ""
    person_id: str = ""


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        outcomes = ("booked", "rebooked", "updated", "unchanged", "rejected")
        return {outcome: self.count(outcome) for outcome in outcomes}


def check_columns(header: Iterable[str]) -> None:
    """Refuse a file whose header is not a roster's, naming what is wrong."""
    names = list(header)
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise InvalidInput(f"unknown column {unknown[0]!r}: the columns are {', '.join(COLUMNS)}")
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise InvalidInput(f"the roster has no {missing[0]!r} column: it is required")
    if not any(s in names for s in SCHEMES):
        raise InvalidInput(f"the roster needs an identifier column: one of {', '.join(SCHEMES)}")


def parse_row(line: int, raw: Mapping[str, str | None]) -> RosterRow:
    """One roster line, or an InvalidInput that says what is wrong with it."""
    values = {k: (v or "").strip() for k, v in raw.items() if k is not None}
    for name, limit in LONGEST.items():
        within(values.get(name, ""), limit, name)
        if CONTROL.search(values.get(name, "")):
            raise InvalidInput(f"{name} contains a control character (a line break, a tab)")
    for name in REQUIRED:
        if not values.get(name):
            raise InvalidInput(f"{name} is empty")
    idents = tuple(Identifier(IdentifierScheme(s), values[s]) for s in SCHEMES if values.get(s))
    if not idents:
        raise InvalidInput(f"no identifier: give one of {', '.join(SCHEMES)}")
    booked = _moment(values["booked_at"], "booked_at")
    release = _moment(values["expected_release_at"], "expected_release_at") if values.get(
        "expected_release_at"
    ) else None  # fmt: skip
    if release and release < booked:
        raise InvalidInput("expected_release_at precedes booked_at")
    arrested = _day(values["arrested_on"], "arrested_on")
    charges: tuple[Charge, ...] = ()
    if values.get("charge_offense"):
        charge = Charge(values["charge_offense"], values.get("charge_class") or "", arrested)
        charges = (charge,)
    born = values.get("date_of_birth")
    return RosterRow(
        line, idents, values["family_name"], values["given_name"], arrested, booked, release,
        _day(born, "date_of_birth") if born else None, values.get("place_of_birth", ""),
        values.get("citizenship", ""), charges,
    )  # fmt: skip


def _moment(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} {text!r} is not an ISO date-time") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{name} {text!r} has no time zone: add one, e.g. -05:00")
    try:
        year = moment.astimezone(UTC).year
    except OverflowError:
        year = 0
    if not 1900 <= year <= 2200:
        raise InvalidInput(f"{name} {text!r} is not between 1900 and 2200")
    return moment


def _day(text: str, name: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} {text!r} is not a date (YYYY-MM-DD)") from None
    if not 1900 <= day.year <= 2200:
        raise InvalidInput(f"{name} {text!r} is not between 1900 and 2200")
    return day


class RosterRefused(InvalidInput):
    """A roster with rows that were rejected: nothing of it was applied. ``rejected`` names
    each rejected line and why."""

    def __init__(self, rejected: list[RowResult], rows: int) -> None:
        super().__init__(
            f"{len(rejected)} of {rows} rows were rejected, so nothing was applied: correct "
            "them and send the whole roster again"
        )
        self.rejected = tuple(rejected)


def read_csv(text: str) -> list[tuple[int, dict[str, str | None]]]:
    """A roster's rows (each: its line number and its columns) from CSV text, after checking
    its header (``check_columns``); InvalidInput if it is not readable CSV."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        check_columns(reader.fieldnames or [])
        return [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise InvalidInput(f"the roster is not readable CSV ({error})") from None


def import_roster(
    desk: Desk,
    actor: str,
    rows: Iterable[tuple[int, Mapping[str, str | None]]],
    *,
    source: str = "cli",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Apply a roster (each item: its line number and its columns) for the actor's agency,
    all rows or none: any rejected row refuses the whole roster (``RosterRefused``), so that
    no file is ever half-imported."""
    report, parsed = ImportReport(), []
    seen: dict[tuple[str, str], int] = {}
    for count, (line, raw) in enumerate(rows, 1):
        if count > MAX_ROWS:
            raise InvalidInput(f"the roster has more than {MAX_ROWS} rows: split it")
        try:
            row = parse_row(line, raw)
            _once(row, seen)
            parsed.append(row)
        except (InvalidInput, ValueError) as error:
            report.rows.append(RowResult(line, "rejected", str(error)))
        if progress and count % 1000 == 0:
            progress(1000)
    try:
        with desk.uow() as uow:
            results = _apply(desk, uow, actor, parsed, source)
            report.rows = sorted(report.rows + results, key=lambda r: r.line)
            rejected = [r for r in report.rows if r.outcome == "rejected"]
            if rejected:
                raise RosterRefused(rejected, len(report.rows))  # the unit of work rolls back
            uow.commit()
    except LexdeskError as refusal:
        _record_refusal(desk, actor, source, refusal)
        raise
    return report


def _record_refusal(desk: Desk, actor: str, source: str, refusal: LexdeskError) -> None:
    """A refused roster on record: who, and which lines (never what they say)."""
    who, behalf = audit_actor(desk, actor)
    lines = [r.line for r in refusal.rejected] if isinstance(refusal, RosterRefused) else []
    audit.record_alone(
        desk,
        actor=who,
        agency="",
        action="roster.import",
        object_type="roster",
        object_id="",
        outcome="denied" if isinstance(refusal, NotPermitted | NotFound) else "failure",
        source=source,
        detail={"refusal": type(refusal).__name__, "rejected_lines": lines[:1000], **behalf},
    )


def _once(row: RosterRow, seen: dict[tuple[str, str], int]) -> None:
    for ident in row.identifiers:
        key = (ident.scheme.value, ident.value)
        if key in seen:
            raise InvalidInput(f"{key[0]} {key[1]} appears again (first on line {seen[key]})")
    for ident in row.identifiers:
        seen[(ident.scheme.value, ident.value)] = row.line


def _apply(
    desk: Desk, uow: UnitOfWork, actor: str, rows: list[RosterRow], source: str
) -> list[RowResult]:
    user = acting_user(uow, actor)
    authorize(user, Permission.PERSON_WRITE)
    holder = agency(uow, user.agency_id)
    require_custodian(user, holder)
    known = uow.persons.identifier_index(holder.id, (i for r in rows for i in r.identifiers))
    stays = uow.persons.stays(holder.id)
    results, new, now = [], [], desk.clock.now()
    for row in rows:
        ids = {known.get((i.scheme.value, i.value)) for i in row.identifiers} - {None}
        if len(ids) > 1:
            results.append(RowResult(row.line, "rejected", "its identifiers name two people"))
        elif ids:
            person_id = str(ids.pop())
            if stays.get(person_id) == ("in_custody", row.expected_release_at):
                results.append(RowResult(row.line, "unchanged", person_id=person_id))
            else:
                results.append(_known(desk, uow, row, person_id, now))
        else:
            person = _person(row, holder.id)
            new.append(person)
            results.append(RowResult(row.line, "booked", person_id=person.id))
    uow.persons.add_many(new)
    who, behalf = audit_actor(desk, actor)
    audit.record_many(
        uow,
        [
            {"actor": who, "agency": holder.id, "action": f"person.{r.outcome}",
             "object_type": "person", "object_id": r.person_id, "source": source,
             "detail": {"line": r.line, "via": "roster", **behalf}}
            for r in results
            if r.outcome in ("booked", "rebooked", "updated")
        ],
    )  # fmt: skip
    return results


def _known(desk: Desk, uow: UnitOfWork, row: RosterRow, person_id: str, now: datetime) -> RowResult:
    person = uow.persons.get(person_id)
    assert person is not None
    held = person.current_custody()
    if held is None:
        person.book_again(_custody(row, person.owner_agency_id))
        uow.persons.update(person)
        return RowResult(row.line, "rebooked", person_id=person.id)
    if held.expected_release_at == row.expected_release_at:
        return RowResult(row.line, "unchanged", person_id=person.id)
    try:
        held.expect_release(row.expected_release_at)
    except InvalidInput as error:
        return RowResult(row.line, "rejected", str(error))
    uow.persons.update(person)
    follow_release(desk, uow, person, now, "expected release from the roster", leaving=False)
    return RowResult(row.line, "updated", person_id=person.id)


def _custody(row: RosterRow, holder: str) -> Custody:
    return Custody(
        id=new_id("cus"),
        agency_id=holder,
        booked_at=row.booked_at,
        arrested_on=row.arrested_on,
        expected_release_at=row.expected_release_at,
        charges=list(row.charges),
    )


def _person(row: RosterRow, holder: str) -> Person:
    return Person(
        id=new_id("per"),
        owner_agency_id=holder,
        family_name=row.family_name,
        given_name=row.given_name,
        date_of_birth=row.date_of_birth,
        place_of_birth=row.place_of_birth,
        citizenship=row.citizenship,
        identifiers=list(row.identifiers),
        custodies=[_custody(row, holder)],
    )
