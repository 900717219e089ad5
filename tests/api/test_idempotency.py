"""``Idempotency-Key`` on every POST that creates something, on both databases: a retry with
the same key and body answers the first result and creates nothing more; the same key with
another body is refused; a refused request is not remembered; a key is one account's own;
two requests racing with one key create one instrument; answers holding a secret shown once
are never kept."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from lexdesk.adapters import orm
from lexdesk.services import work
from tests.api.fuzzing import undocumented_headers
from tests.api.test_instruments_api import DETAINER
from tests.api.world import World

ISSUE = "/api/v1/instruments"
#: POSTs that create something and answer 200 with a report of what they did.
ALSO_CREATING = {"import_roster"}


def instruments(world: World) -> int:
    with world.built.engine.connect() as db:
        return int(db.scalar(select(func.count()).select_from(orm.instruments)) or 0)


def kept_rows(world: World) -> list[Any]:
    with world.built.engine.connect() as db:
        return list(db.execute(select(orm.idempotency_keys)))


def issue(world: World, key: str, user: str = "ice-officer", **changes: Any) -> Any:
    headers = world.auth(user) | {"Idempotency-Key": key}
    return world.client.post(ISSUE, json=DETAINER | changes, headers=headers)


def test_a_retry_answers_the_first_result_and_creates_nothing(world: World) -> None:
    key, before = str(uuid.uuid4()), instruments(world)
    first = issue(world, key, reference="IDEM-1")
    again = issue(world, key, reference="IDEM-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert instruments(world) == before + 1
    issuing = world.client.app.openapi()["paths"][ISSUE]["post"]
    assert not undocumented_headers(issuing, 201, again.headers)


def test_the_same_key_with_another_body_is_refused(world: World) -> None:
    key, before = str(uuid.uuid4()), instruments(world)
    assert issue(world, key, reference="IDEM-2").status_code == 201
    other = issue(world, key, reference="IDEM-2-OTHER")
    assert other.status_code == 422
    assert "another request" in other.json()["detail"] and not other.json().get("errors")
    assert instruments(world) == before + 1


def test_a_refused_request_is_not_remembered(world: World) -> None:
    key, before = str(uuid.uuid4()), instruments(world)
    refused = issue(world, key, addressee="no-such-agency")
    assert refused.status_code in (404, 422)
    assert not [row for row in kept_rows(world) if row.key == key]
    assert issue(world, key, reference="IDEM-3").status_code == 201
    assert instruments(world) == before + 1


def test_a_key_is_one_accounts_own(world: World) -> None:
    key = str(uuid.uuid4())
    mine = issue(world, key, reference="IDEM-4")
    theirs = issue(world, key, user="ice-supervisor", reference="IDEM-4")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_key_is_kept_24_hours(world: World) -> None:
    key, before = str(uuid.uuid4()), instruments(world)
    first = issue(world, key, reference="IDEM-5")
    table = orm.idempotency_keys
    with world.built.engine.begin() as db:  # a day goes by for the key, not for the session
        kept = db.scalar(select(table.c.created_at).where(table.c.key == key))
        aged = kept - timedelta(hours=24, seconds=1)
        db.execute(update(table).where(table.c.key == key).values(created_at=aged))
    later = issue(world, key, reference="IDEM-5")
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    assert instruments(world) == before + 2


def test_racing_retries_with_one_key_create_one_instrument(world: World) -> None:
    key, before = str(uuid.uuid4()), instruments(world)
    answers: list[Any] = []

    def send() -> None:
        with TestClient(world.client.app) as client:
            headers = world.auth("ice-officer") | {"Idempotency-Key": key}
            answers.append(client.post(ISSUE, json=DETAINER | {"reference": "R"}, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert instruments(world) == before + 1, [a.text for a in answers]
    made = {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(made) == 1
    assert {a.status_code for a in answers} <= {201, 409}, [a.text for a in answers]


def test_a_secret_shown_once_is_never_kept(world: World) -> None:
    key = str(uuid.uuid4())
    body = {"url": "https://jms.example.gov/hooks/idem", "topics": []}
    headers = world.auth("doc-admin") | {"Idempotency-Key": key}
    first = world.client.post("/api/v1/webhooks", json=body, headers=headers)
    assert first.status_code == 201, first.text
    secret = first.json()["secret"]
    again = world.client.post("/api/v1/webhooks", json=body, headers=headers)
    assert again.status_code == 409 and "shown only once" in again.json()["detail"]
    assert secret not in again.text
    (row,) = [row for row in kept_rows(world) if row.key == key]
    assert secret.encode() not in (row.body or b"") and secret not in (row.headers or "")


def test_every_post_that_creates_takes_the_key(world: World) -> None:
    document = world.client.app.openapi()  # type: ignore[attr-defined]
    creating = [
        (path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method == "post"
        and ("201" in operation["responses"] or operation["operationId"] in ALSO_CREATING)
    ]
    assert len(creating) >= 10
    for path, operation in creating:
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in names, path


def test_the_sweep_forgets_keys_past_their_day(world: World) -> None:
    key = str(uuid.uuid4())
    assert issue(world, key, reference="IDEM-6").status_code == 201
    table = orm.idempotency_keys
    with world.built.engine.begin() as db:
        kept = db.scalar(select(table.c.created_at).where(table.c.key == key))
        aged = kept - timedelta(hours=24, seconds=1)
        db.execute(update(table).where(table.c.key == key).values(created_at=aged))
    assert work.forget_expired(world.built.desk) >= 1
    assert not [row for row in kept_rows(world) if row.key == key]
