"""Productions through the API (issue 10, item 7): the custodian that released records
produces them once, with Bates numbers; the producer and the recipients read and download it;
no one else learns that it exists."""

from __future__ import annotations

from tests.api.world import World


def test_the_custodian_produces_once_and_the_recipient_downloads(world: World) -> None:
    path = f"/api/v1/instruments/{world.a.order}/production"
    assert world.client.post(path, headers=world.auth("doc-officer")).status_code == 403
    made = world.client.post(path, headers=world.auth("doc-legal"))
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["bates_first"].endswith("-000001") and body["pages"] == 1
    assert body["producer"] == "doc" and body["recipients"] == ["ice"]
    again = world.client.post(path, headers=world.auth("doc-legal"))
    assert again.status_code == 201 and again.json() == body  # made once
    seen = world.client.get(path, headers=world.auth("ice-officer"))
    assert seen.status_code == 200 and seen.json() == body
    pdf = world.client.get(f"{path}.pdf", headers=world.auth("ice-officer"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    assert pdf.headers["content-disposition"].startswith('attachment; filename="production-')
    for outsider in ("court-legal", "usao-legal"):
        assert world.client.get(path, headers=world.auth(outsider)).status_code == 404
        assert world.client.get(f"{path}.pdf", headers=world.auth(outsider)).status_code == 404


def test_an_answer_that_released_nothing_has_nothing_to_produce(world: World) -> None:
    path = f"/api/v1/instruments/{world.a.subpoena}/production"
    refused = world.client.post(path, headers=world.auth("doc-legal"))
    assert refused.status_code == 422 and "released no records" in refused.json()["detail"]
    assert world.client.get(path, headers=world.auth("doc-legal")).status_code == 404
