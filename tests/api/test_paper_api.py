"""Paper intake through the API (issue 10, item 5): the custodian records an instrument served
on paper, with its scan; the issuer sees it marked and confirms it; bad paper is a 4xx that
says what was wrong, and nothing is kept."""

from __future__ import annotations

from datetime import timedelta

from tests.api.world import World

SCAN = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def form(world: World, **changes: object) -> dict[str, object]:
    now = world.clock.now()
    base: dict[str, object] = {
        "kind": "information_request",
        "issuer": "ice",
        "person": world.a.person,
        "actions": ["disclose:home_address"],
        "issued_at": (now - timedelta(days=2)).isoformat(),
        "received_at": (now - timedelta(days=1)).isoformat(),
        "method": "mail",
        "reference": "PAPER-1",
    }
    return base | changes


def post(world: World, user: str, data: dict[str, object], scan: bytes = SCAN):  # type: ignore[no-untyped-def]  # fmt: skip
    return world.client.post(
        "/api/v1/paper-instruments",
        data=data,
        files={"file": ("served.pdf", scan, "application/pdf")},
        headers=world.auth(user),
    )


def test_the_custodian_records_paper_and_the_issuer_confirms_it(world: World) -> None:
    made = post(world, "doc-officer", form(world))
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["recorded_by"] == "doc" and body["confirmed_at"] is None
    assert body["issuer"] == "ice" and body["status"] == "issued"
    assert made.headers["location"] == f"/api/v1/instruments/{body['id']}"
    theirs = world.client.get(
        f"/api/v1/instruments/{body['id']}", headers=world.auth("ice-officer")
    )
    assert theirs.status_code == 200 and theirs.json()["recorded_by"] == "doc"
    path = f"/api/v1/instruments/{body['id']}/confirmation"
    assert world.client.post(path, headers=world.auth("doc-legal")).status_code == 403
    confirmed = world.client.post(path, headers=world.auth("ice-officer"))
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_at"] is not None
    again = world.client.post(path, headers=world.auth("ice-officer"))
    assert again.status_code == 422 and "confirmed already" in again.json()["detail"]


def test_bad_paper_gets_a_clear_refusal(world: World) -> None:
    future = (world.clock.now() + timedelta(days=1)).isoformat()
    cases = [
        (form(world, issued_at=future), SCAN, 422, "in the future"),
        (form(world, issuer="court"), SCAN, 422, "immigration agency"),
        (form(world), b"<html>not a scan</html>", 422, "PDF, PNG, JPEG or TIFF"),
        (form(world, kind="referral"), SCAN, 422, ""),
    ]
    for data, scan, status, words in cases:
        refused = post(world, "doc-officer", data, scan)
        assert refused.status_code == status, (data, refused.text)
        assert words in str(refused.json()["detail"])
    assert post(world, "ice-officer", form(world)).status_code == 403


def test_a_scan_may_be_larger_than_the_usual_body_ceiling(world: World) -> None:
    big = SCAN + b"%" + b"0" * (3 * 1024 * 1024)  # 3 MB: a scanned page or two
    made = post(world, "doc-officer", form(world), big)
    assert made.status_code == 201, made.text
    too_big = post(world, "doc-officer", form(world), SCAN + b"0" * (26 * 1024 * 1024))
    assert too_big.status_code == 413
