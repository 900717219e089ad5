"""docs/domain.md says what each party sees: its table is the policy's own (``WHO_SEES``), and
each row holds for what the readers answer. Regenerate the page's table with
``LEXDESK_WRITE_DOCS=1 pytest tests/lawful/test_who_sees.py``."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lexdesk.domain.visibility import WHO_SEES
from lexdesk.services import instruments as verbs
from lexdesk.services import persons, work
from tests.lawful.harness import Lawful, answer, book, formats, issue, keep_alive
from tests.lawful.test_reported_defects import climb_to_petition

DOC = Path(__file__).resolve().parents[2] / "docs" / "domain.md"
BLOCK = re.compile(r"(<!-- who-sees:begin -->\n).*?(<!-- who-sees:end -->)", re.S)
RELEASE = datetime(2020, 1, 24, 14, 37, tzinfo=UTC)


def table() -> str:
    rows = [
        "| what | the custodial agency holding the person | the requesting agency "
        "| the U.S. Attorney and the court |",
        "|---|---|---|---|",
    ]
    rows += [f"| {r.what} | {r.holder} | {r.requester} | {r.others} |" for r in WHO_SEES]
    return "\n".join(rows) + "\n"


def test_the_page_shows_the_policys_own_table() -> None:
    text = DOC.read_text()
    wanted = BLOCK.sub(lambda m: m.group(1) + table() + m.group(2), text)
    if os.environ.get("LEXDESK_WRITE_DOCS") == "1":
        DOC.write_text(wanted)
    assert text == wanted, "docs/domain.md: regenerate the table (see this module's docstring)"


def _record(world: Lawful) -> None:
    person = book(world, record={"home_address": "9 Row Street"}, facts={"tsdb_match": True})
    request = issue(world, "information_request", ("disclose:home_address",), warrant="none")
    answer(world, request.id, "complied", ("home_address",))
    assert world.get("ice-legal", f"/persons/{person}/disclosures")["fields"] == {
        "home_address": "9 Row Street"
    }
    assert world.api("court-legal", "GET", f"/persons/{person}/disclosures").status_code == 404
    assert world.get("doc-legal", f"/persons/{person}")["record"]["home_address"] == "9 Row Street"
    assert world.get("ice-legal", f"/cases/{request.case_id}")["person_id"] == person
    assert "Testperson" not in world.web("ice-legal", f"/cases/{request.case_id}").text


def _instruments(world: Lawful) -> None:
    book(world)
    request = issue(world, "information_request", ("disclose:home_address",), warrant="none")
    answer(world, request.id, "declined")
    subpoena, referral, petition = climb_to_petition(world, request.id)
    other = issue(world, "detainer", ("hold",))  # another chain of the same case
    assert other.case_id == request.case_id
    chain = {request.id, subpoena, referral, petition}
    for user in ("usao-legal", "court-legal"):
        seen = {i["id"] for i in world.get(user, f"/cases/{request.case_id}")["instruments"]}
        assert seen == chain, user
        assert world.api(user, "GET", f"/instruments/{other.id}").status_code == 404
    seen = {i["id"] for i in world.get("ice-legal", f"/cases/{request.case_id}")["instruments"]}
    assert seen == chain | {other.id}


def _release_due(world: Lawful) -> None:
    book(world, release=RELEASE)
    detainer = issue(world, "detainer", ("hold",))
    assert world.get("doc-legal", f"/instruments/{detainer.id}")["due_at"] is not None
    shown = world.get("ice-legal", f"/instruments/{detainer.id}")
    assert shown["due_at"] is None and "due_at" in shown["withheld"]
    assert not formats(RELEASE + timedelta(hours=48)) & {str(shown["due_explained"])}


def _release_flag(world: Lawful) -> None:
    book(world, release=world.clock.now() + timedelta(hours=7, minutes=3))
    issue(world, "detainer", ("hold",))
    assert "Release within 48 h" in world.web("doc-officer", "/").text
    assert "Release within 48 h" not in world.web("ice-officer", "/").text


def _due_marks(world: Lawful) -> None:
    """The custodian's hold runs out; the requester, told no release, marks, counts, filters,
    sorts and exports nothing by it."""
    book(world, release=world.clock.now() + timedelta(hours=2))
    detainer = issue(world, "detainer", ("hold",))
    held = world.get("doc-legal", f"/instruments/{detainer.id}")["due_at"]
    assert held is not None
    world.clock.moment = datetime.fromisoformat(held) + timedelta(hours=1)
    keep_alive(world)
    assert "Overdue" in world.web("doc-officer", "/").text
    due = datetime.fromisoformat(held).date().isoformat()
    for path in ("/", "/?view=all&sort=due", f"/?view=all&due_from={due}&due_to={due}"):
        page = world.web("ice-officer", path).text
        assert "data-urgency" not in page and "overdue</span>" not in page, path
        assert not any(shown in page for shown in formats(datetime.fromisoformat(held))), path
    assert "0 instruments" in world.web("ice-officer", f"/?view=all&due_to={due}").text
    export = world.web("ice-officer", "/export", {"view": "all", "sort": "due"}).text
    assert detainer.id in export and "on release" in export
    assert not any(shown in export for shown in formats(datetime.fromisoformat(held)))


def _work(world: Lawful) -> None:
    book(world)
    request = issue(world, "information_request", ("disclose:home_address",), warrant="none")
    case = request.case_id
    work.assign(world.desk, work.Assign("doc-legal", "case", case, "doc-officer"))
    work.assign(world.desk, work.Assign("ice-legal", "instrument", request.id, "ice-officer"))
    work.add_note(world.desk, work.AddNote("doc-legal", case, "Remark of the holder"))
    work.add_note(world.desk, work.AddNote("ice-legal", case, "Remark of the requester"))
    doc, ice = (
        world.web("doc-legal", f"/cases/{case}/work").text,
        world.web("ice-legal", f"/cases/{case}/work").text,
    )
    assert "Remark of the holder" in doc and "Remark of the requester" not in doc
    assert "Remark of the requester" in ice and "Remark of the holder" not in ice
    assert "ice-officer" not in world.web("doc-officer", "/?view=all").text
    assert "doc-officer" not in world.web("ice-officer", "/?view=all").text.split("<main")[1]
    assert world.web("usao-legal", f"/cases/{case}/work").status_code == 404


def _custody_transitions(world: Lawful) -> None:
    person = book(world, release=RELEASE)
    detainer = issue(world, "detainer", ("hold",))
    persons.release_person(world.desk, persons.ReleasePerson("doc-officer", person, "Bail."))
    assert world.get("doc-legal", f"/instruments/{detainer.id}")["status"] == "moot"
    seen = world.get("ice-legal", f"/instruments/{detainer.id}")
    assert seen["status"] == "issued" and seen["version"] == 1
    events = world.get("ice-legal", f"/instruments/{detainer.id}/events")
    assert [e["transition"] for e in events] == ["issue"]
    done = world.api("ice-legal", "POST", f"/instruments/{detainer.id}/withdrawal",
                     json={"reason": "No longer needed."}, headers={"If-Match": '"1"'})  # fmt: skip
    assert done.status_code == 200, done.text


def _evaluation(world: Lawful) -> None:
    book(world)
    detainer = issue(world, "detainer", ("hold",))
    answer(world, detainer.id, "declined")
    assert world.get("doc-legal", f"/instruments/{detainer.id}")["determination"]["evaluation"]
    seen = world.get("ice-legal", f"/instruments/{detainer.id}")["determination"]
    assert seen["evaluation"] is None
    assert seen["answers"] == [{"action": "hold", "answer": "declined", "citations": []}]


def _override(world: Lawful) -> None:
    book(world)
    detainer = issue(world, "detainer", ("hold",))
    answer(world, detainer.id, "complied",
           override_reason="Counsel holds on an order outside this desk.")  # fmt: skip
    assert world.get("doc-legal", f"/instruments/{detainer.id}")["determination"]["override"]
    assert (
        world.get("ice-legal", f"/instruments/{detainer.id}")["determination"]["override"] is None
    )


def _production(world: Lawful) -> None:
    person = book(world, record={"home_address": "4 Order Road"})
    request = issue(world, "information_request", ("disclose:home_address",), warrant="none")
    answer(world, request.id, "declined")
    _, _, petition = climb_to_petition(world, request.id)
    verbs.determine(world.desk, verbs.Determine("court-legal", petition, "granted", "Granted."))
    assert world.api("court-legal", "GET", f"/persons/{person}/disclosures").status_code == 404
    order = verbs.escalate(
        world.desk,
        verbs.Escalate("court-legal", petition, "Comply.",
                       return_date=world.clock.now() + timedelta(days=10),
                       produce_to=("ice", "court")),
    )  # fmt: skip
    answer(world, order.id, "complied")
    for user in ("ice-legal", "court-legal"):
        fields = world.get(user, f"/persons/{person}/disclosures")["fields"]
        assert fields == {"home_address": "4 Order Road"}, user
    assert world.api("usao-legal", "GET", f"/persons/{person}/disclosures").status_code == 404


CHECKS: dict[str, Callable[[Lawful], None]] = {
    "record": _record,
    "instruments": _instruments,
    "release_due": _release_due,
    "release_flag": _release_flag,
    "due_marks": _due_marks,
    "work": _work,
    "custody_transitions": _custody_transitions,
    "evaluation": _evaluation,
    "override": _override,
    "production": _production,
}


def test_every_row_has_its_check() -> None:
    assert sorted(CHECKS) == sorted(row.key for row in WHO_SEES)


@pytest.mark.parametrize("key", sorted(CHECKS))
def test_the_row_holds(world: Lawful, key: str) -> None:
    CHECKS[key](world)
