"""The API's sign-in: the system-use notice must be accepted (and is on record), and an address
that failed too often is answered 429 with Retry-After, without touching the account."""

from __future__ import annotations

from sqlalchemy import select

from lexdesk.adapters import orm
from tests.api.world import PASSWORD, World


def test_the_notice_must_be_accepted_and_is_on_record(world: World) -> None:
    bare = {"username": "ice-auditor", "password": PASSWORD}
    refused = world.client.post("/api/v1/session", json=bare)
    assert refused.status_code == 422 and refused.json()["refused_by"] == "schema"
    assert refused.json()["errors"][0]["field"] == "body.acknowledge_notice"
    taken = world.client.post("/api/v1/session", json=bare | {"acknowledge_notice": True})
    assert taken.status_code == 200
    table = orm.audit_log
    with world.built.engine.connect() as db:
        last = db.execute(
            select(table.c.detail)
            .where(table.c.action == "login.password", table.c.outcome == "success")
            .order_by(table.c.seq.desc())
        ).first()
    assert last is not None and '"notice": "acknowledged"' in str(last.detail).replace("'", '"')


def test_an_address_that_failed_too_often_waits(world: World) -> None:
    guess = {"username": "usao-legal", "password": "not it", "acknowledge_notice": True}
    headers = {"X-Forwarded-For": "203.0.113.99"}  # ignored: the address is the socket's
    answers = [world.client.post("/api/v1/session", json=guess, headers=headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert answers[0].json() == answers[1].json()
    assert int(answers[3].headers["retry-after"]) > 0
    assert "too many failed sign-ins" in answers[3].json()["detail"]
    world.clock.advance(minutes=16)  # the window passes; the account was never locked
    right = guess | {"password": PASSWORD}
    assert world.client.post("/api/v1/session", json=right).status_code == 200
