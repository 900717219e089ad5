"""Attachments through the API: upload (type by content, 25 MB, 413), list and download
(streamed, ``Content-Disposition``, no caching) as the disclosure policy allows."""

from __future__ import annotations

import hashlib

from tests.api.world import World

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def upload(world: World, user: str, instrument_id: str, data: bytes, **form: str):  # type: ignore[no-untyped-def]  # fmt: skip
    return world.client.post(
        f"/api/v1/instruments/{instrument_id}/attachments",
        files={"file": ("scan.pdf", data, "application/pdf")},
        data=form,
        headers=world.auth(user),
    )


def test_upload_list_and_download(world: World) -> None:
    made = upload(world, "ice-officer", world.a.subpoena, JPEG)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["media_type"] == "image/jpeg"  # named .pdf, judged by its content
    assert body["sha256"] == hashlib.sha256(JPEG).hexdigest()
    listed = world.client.get(
        f"/api/v1/instruments/{world.a.subpoena}/attachments", headers=world.auth("doc-officer")
    )
    assert body["id"] in [a["id"] for a in listed.json()]
    got = world.client.get(f"/api/v1/attachments/{body['id']}", headers=world.auth("doc-legal"))
    assert got.status_code == 200 and got.content == JPEG
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["content-disposition"] == f'attachment; filename="{body["id"]}.jpg"'
    assert got.headers["cache-control"] == "no-store"
    missing = world.client.get(
        "/api/v1/attachments/att-0000000000000000", headers=world.auth("doc-legal")
    )
    assert missing.status_code == 404


def test_bad_uploads(world: World) -> None:
    wrong = upload(world, "ice-officer", world.a.subpoena, b"<html>not a scan</html>")
    assert wrong.status_code == 422 and "PDF, PNG, JPEG or TIFF" in wrong.json()["detail"]
    big = upload(world, "ice-officer", world.a.subpoena, PDF + b"0" * (25 * 1024 * 1024))
    assert big.status_code == 413 and "25 MB" in big.json()["detail"]
    theirs = upload(world, "ice-officer", world.b.subpoena, PDF)  # side B: not to be seen
    assert theirs.status_code == 404
    unknown = upload(world, "doc-legal", world.a.request, PDF, on="elsewhere")
    assert unknown.status_code == 422
    not_a_party = upload(world, "usao-officer", world.a.subpoena, PDF)
    assert not_a_party.status_code == 403
    nothing = world.client.post(
        f"/api/v1/instruments/{world.a.subpoena}/attachments", headers=world.auth("ice-officer")
    )
    assert nothing.status_code == 422


def test_records_produced_reach_only_their_recipients(world: World) -> None:
    produced = upload(world, "doc-legal", world.a.order, PDF, on="answer")
    assert produced.status_code == 201, produced.text
    item = produced.json()["id"]
    for user, status in (("ice-officer", 200), ("court-officer", 404), ("usao-officer", 404)):
        got = world.client.get(f"/api/v1/attachments/{item}", headers=world.auth(user))
        assert got.status_code == status, user


def test_service_of_process(world: World) -> None:
    url = f"/api/v1/instruments/{world.a.subpoena}/service"
    served_at = world.clock.now().isoformat()
    body = {"method": "in_person", "served_by": "Officer Rivera", "served_at": served_at}
    made = world.client.post(url, json=body, headers=world.auth("ice-officer"))
    assert made.status_code == 201, made.text
    assert made.json()["method"] == "in_person"
    listed = world.client.get(url, headers=world.auth("doc-officer"))
    assert made.json()["id"] in [s["id"] for s in listed.json()]
    refused = world.client.post(url, json=body, headers=world.auth("doc-officer"))
    assert refused.status_code == 403
    early = world.client.post(
        url, json={**body, "served_at": "2019-01-01T00:00:00Z"}, headers=world.auth("ice-officer")
    )
    assert early.status_code == 422 and "cannot be served before" in early.json()["detail"]
    extra = world.client.post(
        url, json={**body, "agency": "doc"}, headers=world.auth("ice-officer")
    )
    assert extra.status_code == 422
