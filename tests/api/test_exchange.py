"""The exchange formats over HTTP on both databases (docs/exchange.md, docs/roster.md): a case
exported as NIEM-named JSON shows each agency exactly what the case reader shows it, and fits
the published schema; new requests imported in that format are issued all together or not at
all, a refusal naming each place; a jail roster sent as CSV is applied all rows or none."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from lexdesk.adapters import orm
from lexdesk.services import agencies, api_tokens, persons
from lexdesk.services import exchange as exchange_service
from tests.api.world import World

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SCHEMA_URL = "/api/v1/schemas/case-exchange-v1.json"
IMPORT = "/api/v1/instrument-exchanges"
ROSTER = "/api/v1/roster-imports"
CSV = {"Content-Type": "text/csv"}
HEADER = "nysid,family_name,given_name,arrested_on,booked_at,expected_release_at\n"
Json = dict[str, Any]


def schema(world: World) -> Json:
    answer = world.client.get(SCHEMA_URL)  # public: no credential
    assert answer.status_code == 200, answer.text
    found: Json = answer.json()
    return found


def validator(world: World, part: str | None = None) -> Draft202012Validator:
    whole = schema(world)
    if part is None:
        return Draft202012Validator(whole)
    return Draft202012Validator({"$ref": f"#/$defs/{part}", "$defs": whole["$defs"]})


def leaves(node: Any) -> set[str]:
    """Every value in a JSON document (as text), whatever its key."""
    if isinstance(node, dict):
        return set().union(*(leaves(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(leaves(v) for v in node)) if node else set()
    return set() if node is None else {str(node)}


def instrument_count(world: World) -> int:
    with world.built.engine.connect() as db:
        return int(db.execute(select(func.count()).select_from(orm.instruments)).scalar_one())


def last_audit(world: World, count: int = 1) -> list[Any]:
    table = orm.audit_log
    with world.built.engine.connect() as db:
        query = select(table).order_by(table.c.seq.desc()).limit(count)
        return list(db.execute(query))


def issue_entries(world: World, outcome: str) -> int:
    table = orm.audit_log
    chosen = (table.c.action == "instrument.issue") & (table.c.outcome == outcome)
    with world.built.engine.connect() as db:
        query = select(func.count()).select_from(table).where(chosen)
        return int(db.execute(query).scalar_one())


def items(document: Json) -> list[tuple[str, Json]]:
    return [next(iter(item.items())) for item in document["lx:Instrument"]]


def fresh_notification_request(world: World, nysid: str) -> str:
    """A person whose release date was never released to ice, and a notification request
    about them: its due date runs from that release date, so ice may not learn it."""
    if not hasattr(world, "exchange_cases"):
        world.exchange_cases = {}  # type: ignore[attr-defined]
    found: dict[str, str] = world.exchange_cases  # type: ignore[attr-defined]
    if nysid not in found:
        persons.book_person(
            world.built.desk,
            persons.BookPerson(
                actor="doc-officer",
                family_name="Placeholder",
                given_name="Quinn",
                arrested_on=date(2020, 1, 10),
                booked_at=datetime(2020, 1, 10, 18, tzinfo=UTC),
                expected_release_at=datetime(2020, 4, 1, 14, tzinfo=UTC),
                identifiers={"nysid": nysid},
            ),
        )
        issued = world.client.post(
            "/api/v1/instruments",
            json={
                "kind": "notification_request",
                "addressee": "doc",
                "person": f"nysid:{nysid}",
                "actions": ["notify_release"],
            },
            headers=world.auth("ice-officer"),
        )
        assert issued.status_code == 201, issued.text
        found[nysid] = issued.json()["case_id"]
    return found[nysid]


def test_the_export_shows_each_agency_what_the_case_reader_shows_it(world: World) -> None:
    withheld_case = fresh_notification_request(world, "55500001Q")
    cases = (world.a.case, world.a.detainer_case, withheld_case)
    readers = ("doc-legal", "doc-officer", "ice-officer", "usao-legal", "court-legal")
    compared = 0
    for case_id in cases:
        for reader in readers:
            read = world.client.get(f"/api/v1/cases/{case_id}", headers=world.auth(reader))
            exported = world.client.get(
                f"/api/v1/cases/{case_id}/exchange", headers=world.auth(reader)
            )
            assert exported.status_code == read.status_code, (case_id, reader, exported.text)
            if read.status_code != 200:
                continue
            shown, document = read.json(), exported.json()
            # Nothing the case reader does not show this agency: every value is one of its.
            extra = leaves(document) - leaves(shown) - leaves(document["@context"]) - {"lexdesk"}
            assert not extra, (case_id, reader, extra)
            case = document["nc:Case"]
            assert case["nc:CaseTrackingID"] == shown["id"]
            assert case["nc:ActivityStatus"]["nc:StatusText"] == shown["status"]
            person = case["nc:Person"]["nc:PersonOtherIdentification"]["nc:IdentificationID"]
            assert person == shown["person_id"]
            written = items(document)
            assert len(written) == len(shown["instruments"])
            for (_, mine), theirs in zip(written, shown["instruments"], strict=True):
                assert mine["nc:ActivityIdentification"]["nc:IdentificationID"] == theirs["id"]
                assert mine["nc:ActivityStatus"]["nc:StatusText"] == theirs["status"]
                assert mine["lx:VersionNumeric"] == theirs["version"]
                due = mine.get("nc:ActivityDueDate", {}).get("nc:DateTime")
                assert (due is None) == (theirs["due_at"] is None)
                withheld = mine.get("lx:Withheld", {})
                assert ("nc:ActivityDueDate" in withheld) == ("due_at" in theirs["withheld"])
                assert ("lx:Evaluation" in withheld) == ("evaluation" in theirs["withheld"])
                compared += 1
    assert compared >= 20
    # The requester may not learn the due date computed from a release date never released
    # to it; the custodian may.
    by_ice = world.client.get(
        f"/api/v1/cases/{withheld_case}/exchange", headers=world.auth("ice-officer")
    ).json()
    ((_, request),) = items(by_ice)
    assert "nc:ActivityDueDate" not in request
    assert "released to your agency" in request["lx:Withheld"]["nc:ActivityDueDate"]
    by_doc = world.client.get(
        f"/api/v1/cases/{withheld_case}/exchange", headers=world.auth("doc-officer")
    ).json()
    ((_, held),) = items(by_doc)
    assert held["nc:ActivityDueDate"]["nc:DateTime"] and "lx:Withheld" not in held


def test_the_export_is_read_and_audited_as_the_case_reader_reads_it(world: World) -> None:
    path = f"/api/v1/cases/{world.a.case}"
    assert world.client.get(path, headers=world.auth("ice-officer")).status_code == 200
    (read,) = last_audit(world)
    assert (
        world.client.get(f"{path}/exchange", headers=world.auth("ice-officer")).status_code == 200
    )
    (exported,) = last_audit(world)
    assert exported.seq > read.seq
    same = ("actor", "agency", "action", "object_type", "object_id", "outcome", "detail")
    assert [getattr(exported, c) for c in same] == [getattr(read, c) for c in same]
    assert exported.action == "case.read" and exported.object_id == world.a.case
    # Another side's case does not exist for this agency, as for the case reader.
    theirs = world.client.get(
        f"/api/v1/cases/{world.b.case}/exchange", headers=world.auth("ice-officer")
    )
    assert theirs.status_code == 404
    # A system's token without instruments:read sees no instruments, and is told why.
    secret, _ = api_tokens.create_api_token(
        world.built.desk,
        api_tokens.CreateApiToken("ice", "case system", ("cases:read",), timedelta(days=1)),
    )
    token = {"Authorization": f"Bearer {secret}"}
    document = world.client.get(f"{path}/exchange", headers=token).json()
    assert document["lx:Instrument"] == []
    assert "instruments:read" in document["nc:Case"]["lx:Withheld"]["lx:Instrument"]


def test_every_export_fits_the_published_schema(world: World) -> None:
    check = validator(world)
    for case_id in (world.a.case, world.a.detainer_case):
        for reader in ("doc-legal", "ice-officer", "usao-legal", "court-legal"):
            answer = world.client.get(
                f"/api/v1/cases/{case_id}/exchange", headers=world.auth(reader)
            )
            if answer.status_code == 404:
                continue
            errors = [f"{e.json_path}: {e.message}" for e in check.iter_errors(answer.json())]
            assert not errors, (case_id, reader, errors)
    example = json.loads((EXAMPLES / "case-exchange.json").read_text())
    assert not list(check.iter_errors(example))
    assert not list(validator(world, "CaseExport").iter_errors(example))


def nyc_doc(world: World) -> None:
    """The agency and the person the documented example names, as the demo has them."""
    desk = world.built.desk
    with desk.uow() as uow:
        if uow.agencies.get("nyc-doc") is not None:
            return
    agencies.register_agency(
        desk, agencies.RegisterAgency("nyc-doc", "NYC DOC", "custodial", "US", "us-ny-nyc-doc")
    )
    agencies.add_user(desk, agencies.AddUser("nyc-doc-officer", "nyc-doc", "Officer", ("officer",)))
    persons.book_person(
        desk,
        persons.BookPerson(
            actor="nyc-doc-officer",
            family_name="Example",
            given_name="Avery",
            arrested_on=date(2020, 1, 2),
            booked_at=datetime(2020, 1, 2, 18, tzinfo=UTC),
            expected_release_at=datetime(2020, 5, 4, 14, tzinfo=UTC),
            identifiers={"nysid": "90000002M"},
        ),
    )


def test_the_documented_example_is_imported_all_at_once(world: World) -> None:
    nyc_doc(world)
    example = json.loads((EXAMPLES / "instrument-exchange.json").read_text())
    assert not list(validator(world).iter_errors(example))
    openapi = world.client.get("/api/v1/openapi.json").json()
    body = openapi["paths"][IMPORT]["post"]["requestBody"]["content"]["application/json"]
    assert body["example"] == example
    before, entries = instrument_count(world), issue_entries(world, "success")
    answer = world.client.post(IMPORT, json=example, headers=world.auth("ice-officer"))
    assert answer.status_code == 201, answer.text
    assert issue_entries(world, "success") == entries + 2
    issued = answer.json()
    assert not list(validator(world, "Issued").iter_errors(issued))
    kinds = [element for element, _ in items(issued)]
    assert kinds == ["j:DetainerNotificationRequest", "lx:InformationRequest"]
    assert instrument_count(world) == before + 2
    detainer = items(issued)[0][1]
    assert detainer["j:Warrant"] == {"j:WarrantCategoryText": "administrative"}
    assert detainer["nc:DocumentIdentification"]["nc:IdentificationID"] == "I-247A-2026-0042"
    assert detainer["j:ReceiverOrganization"]["nc:OrganizationIdentification"] == {
        "nc:IdentificationID": "nyc-doc"
    }
    # Both joined one case, which the issuer now reads with both in it.
    (case_id,) = {fields["nc:CaseTrackingID"] for _, fields in items(issued)}
    read = world.client.get(f"/api/v1/cases/{case_id}", headers=world.auth("ice-officer"))
    assert [i["kind"] for i in read.json()["instruments"]][-2:] == [
        "detainer",
        "information_request",
    ]


def request_item(person: str = "12345679A", **changes: Any) -> Json:
    fields = {
        "j:ReceiverOrganization": {"nc:OrganizationIdentification": {"nc:IdentificationID": "doc"}},
        "nc:Person": {"j:PersonStateFingerprintIdentification": {"nc:IdentificationID": person}},
        "lx:RequestedAction": ["notify_release"],
    } | changes
    return {"j:NotificationRequest": fields}


def test_a_document_that_does_not_fit_the_schema_is_refused_place_by_place(world: World) -> None:
    first = request_item()
    del first["j:NotificationRequest"]["nc:Person"]
    document = {
        "lx:Instrument": [
            first,
            {"j:CourtOrder": request_item()["j:NotificationRequest"]},
            request_item(**{"lx:RequestedAction": ["hold", "fly"], "lx:VersionNumeric": 7}),
            request_item(**{"nc:Person": {}}),
        ],
        "nc:Extra": True,
    }
    before = instrument_count(world)
    answer = world.client.post(IMPORT, json=document, headers=world.auth("ice-officer"))
    assert answer.status_code == 422, answer.text
    errors = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert errors["/lx:Instrument/0/j:NotificationRequest/nc:Person"].startswith("is required")
    assert "/lx:Instrument/1/j:CourtOrder" in errors
    assert "j:DetainerNotificationRequest" in errors["/lx:Instrument/1/j:CourtOrder"]
    assert (
        "'fly' is not one of"
        in errors["/lx:Instrument/2/j:NotificationRequest/lx:RequestedAction/1"]
    )
    assert "remove it" in errors["/lx:Instrument/2/j:NotificationRequest/lx:VersionNumeric"]
    assert "exactly one of" in errors["/lx:Instrument/3/j:NotificationRequest/nc:Person"]
    assert "/nc:Extra" in errors
    assert len(errors) == len(answer.json()["errors"])  # one error per place
    assert "correct the document" in answer.json()["detail"]
    assert answer.json()["refused_by"] == "schema"
    assert instrument_count(world) == before
    bad_date = request_item(**{"nc:ActivityDueDate": {"nc:DateTime": "2020-02-30T10:00:00Z"}})
    answer = world.client.post(
        IMPORT, json={"lx:Instrument": [bad_date]}, headers=world.auth("ice-officer")
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"].endswith("/nc:ActivityDueDate/nc:DateTime")
    for body, headers, status in (
        (b"{not json", {"Content-Type": "application/json"}, 422),
        (b"\xff\xfe", {"Content-Type": "application/json"}, 400),
        (b"<xml/>", {"Content-Type": "application/xml"}, 415),
    ):
        answer = world.client.post(
            IMPORT, content=body, headers=world.auth("ice-officer") | headers
        )
        assert answer.status_code == status, answer.text
        assert answer.json()["detail"]
    assert instrument_count(world) == before


def test_a_refused_request_refuses_the_whole_document(world: World) -> None:
    document = {"lx:Instrument": [request_item(), request_item(person="00000000X")]}
    before = instrument_count(world)
    answer = world.client.post(IMPORT, json=document, headers=world.auth("ice-officer"))
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["field"] == "/lx:Instrument/1/j:NotificationRequest/nc:Person"
    assert "00000000X" in error["message"]
    assert answer.json()["refused_by"] == "rules"
    assert instrument_count(world) == before
    (refusal,) = last_audit(world)
    assert (refusal.action, refusal.outcome) == ("instrument.issue", "failure")
    assert refusal.detail["via"] == "exchange"
    wrong_agency = request_item(
        **{
            "j:ReceiverOrganization": {
                "nc:OrganizationIdentification": {"nc:IdentificationID": "usao"}
            }
        }
    )
    answer = world.client.post(
        IMPORT, json={"lx:Instrument": [wrong_agency]}, headers=world.auth("ice-officer")
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"].endswith("/j:ReceiverOrganization")
    assert (
        world.client.post(IMPORT, json=document, headers=world.auth("ice-auditor")).status_code
        == 403
    )
    assert instrument_count(world) == before


def test_a_request_refused_while_issuing_rolls_back_those_before_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issuing itself is one unit of work: even past the checks, the first request of a
    document is not kept when the second is refused."""
    monkeypatch.setattr(exchange_service.instruments, "preview_issue", lambda desk, command: None)
    document = {"lx:Instrument": [request_item(), request_item(person="00000000X")]}
    before, issued = instrument_count(world), issue_entries(world, "success")
    failed = issue_entries(world, "failure")
    answer = world.client.post(IMPORT, json=document, headers=world.auth("ice-officer"))
    assert answer.status_code == 422, answer.text
    field = answer.json()["errors"][0]["field"]
    assert field == "/lx:Instrument/1/j:NotificationRequest/nc:Person"
    assert instrument_count(world) == before
    assert issue_entries(world, "success") == issued  # the first one's entry went too
    assert issue_entries(world, "failure") == failed + 1


def post_roster(world: World, text: str, user: str = "doc-officer") -> Any:
    return world.client.post(ROSTER, content=text.encode(), headers=world.auth(user) | CSV)


def found(world: World, nysid: str) -> bool:
    answer = world.client.post(
        "/api/v1/person-lookups",
        json={"scheme": "nysid", "value": nysid},
        headers=world.auth("doc-officer"),
    )
    return answer.status_code == 200


def test_a_roster_over_the_api_applies_every_row(world: World) -> None:
    example = (EXAMPLES / "roster.csv").read_text()
    openapi = world.client.get("/api/v1/openapi.json").json()
    assert (
        openapi["paths"][ROSTER]["post"]["requestBody"]["content"]["text/csv"]["example"] == example
    )
    answer = post_roster(world, example)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["counts"]["booked"] == 3 and report["counts"]["rejected"] == 0
    assert [r["line"] for r in report["rows"]] == [2, 3, 4]
    assert found(world, "90001002B")
    again = post_roster(world, example).json()
    assert again["counts"]["unchanged"] == 3


def test_a_roster_with_a_rejected_row_applies_nothing(world: World) -> None:
    text = HEADER + (
        "77700001A,Example,Sky,2026-11-20,2026-11-20T18:30:00-05:00,\n"
        "77700002B,Sample,Ash,2026-11-20,not a time,\n"
        "77700001A,Example,Sky,2026-11-20,2026-11-20T18:30:00-05:00,\n"
        "77700003C,Sample,Lee,2026-11-20,2026-11-20T18:30:00-05:00,2026-11-01T09:00:00-05:00\n"
    )
    answer = post_roster(world, text)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert [e["field"] for e in errors] == ["line 3", "line 4", "line 5"]
    assert "booked_at" in errors[0]["message"] and "appears again" in errors[1]["message"]
    assert "nothing was applied" in answer.json()["detail"]
    assert answer.json()["refused_by"] == "rules"
    (refusal,) = last_audit(world)
    assert (refusal.action, refusal.outcome) == ("roster.import", "failure")
    assert refusal.detail["rejected_lines"] == [3, 4, 5]
    assert not found(world, "77700001A")  # the accepted row was not applied either


def test_a_roster_refused_before_any_row(world: World) -> None:
    bad_header = post_roster(world, "nysid,family_name,given_name,arrested_on,bookd_at\n")
    assert bad_header.status_code == 422
    assert bad_header.json()["errors"][0]["field"] == "line 1"
    assert "'bookd_at'" in bad_header.json()["detail"]
    missing = post_roster(world, "nysid,family_name,given_name,arrested_on\n")
    assert missing.status_code == 422 and "'booked_at'" in missing.json()["detail"]
    line = "77700009Z,Example,Sky,2026-11-20,2026-11-20T18:30:00-05:00,\n"
    assert post_roster(world, HEADER + line, "ice-officer").status_code == 403
    assert post_roster(world, HEADER + line, "doc-auditor").status_code == 403
    wrong_type = world.client.post(ROSTER, json={"rows": []}, headers=world.auth("doc-officer"))
    assert wrong_type.status_code == 415
    not_utf8 = world.client.post(
        ROSTER, content=b"nysid\xff\n", headers=world.auth("doc-officer") | CSV
    )
    assert not_utf8.status_code == 400
    too_big = post_roster(world, HEADER + line * 20_000)
    assert too_big.status_code == 413
    assert not found(world, "77700009Z")


def test_a_document_sent_again_with_its_idempotency_key_issues_nothing_more(world: World) -> None:
    document = {"lx:Instrument": [request_item(**{"nc:ActivityReasonText": "Sent twice."})]}
    headers = world.auth("ice-officer") | {"Idempotency-Key": "exchange-test-0001"}
    first = world.client.post(IMPORT, json=document, headers=headers)
    assert first.status_code == 201, first.text
    count = instrument_count(world)
    again = world.client.post(IMPORT, json=document, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert instrument_count(world) == count
