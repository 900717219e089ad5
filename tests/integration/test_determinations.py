"""A determination rests on the real rule engine's evaluation, stored with it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from lexdesk.adapters import orm
from lexdesk.adapters.person_records import opened_evaluation
from lexdesk.adapters.rulebook import PackRuleBook
from lexdesk.adapters.sealing import DEVELOPMENT
from lexdesk.adapters.unit_of_work import SqlUnitOfWork
from lexdesk.domain.answers import LawContradicted
from lexdesk.services import instruments as verbs
from lexdesk.services.context import Desk
from tests.factories import book, detainer, seed_agencies
from tests.fakes import FakeClock


@pytest.fixture
def desk(engine: Engine) -> Desk:
    clock = FakeClock(datetime(2020, 1, 17, 15, tzinfo=UTC))
    desk = Desk(uow=lambda: SqlUnitOfWork(engine, clock), clock=clock, rules=PackRuleBook())
    seed_agencies(desk)
    return desk


def test_a_prohibited_release_is_refused_and_the_evaluation_is_stored(
    desk: Desk, engine: Engine
) -> None:
    first = detainer(desk, book(desk, convicted=False), warrant="administrative")
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", first))
    with pytest.raises(LawContradicted, match="performs disclose:release_date, which NYC-DOC-"):
        verbs.determine(
            desk, verbs.Determine("doc-legal", first, "complied", "We comply.", ("release_date",))
        )
    verbs.determine(desk, verbs.Determine("doc-legal", first, "declined", "No judicial warrant."))
    with engine.connect() as db:
        row = db.execute(
            select(orm.determinations).where(orm.determinations.c.instrument_id == first)
        ).one()
    # Sealed at rest (the inputs tell the person's history); the deciding rule stays clear.
    assert DEVELOPMENT.is_sealed(row.evaluation) and b"2019-11-20" not in row.evaluation.encode()
    evaluation = opened_evaluation(row.evaluation, first, DEVELOPMENT)
    assert row.deciding_rule == evaluation["result"]["actions"]["hold"]["rule"]
    assert (evaluation["pack"], evaluation["pack_version"]) == ("us-ny-nyc-doc", "2014-12-14")
    assert len(evaluation["content_hash"]) == 64
    assert evaluation["inputs"]["instrument"] == {
        "kind": "detainer",
        "warrant": "administrative",
        "actions": ["hold", "notify_release", "disclose:release_date"],
        "issuer": "ice",
    }
    assert evaluation["inputs"]["person"]["arrested_on"] == "2019-11-20"
    assert evaluation["result"]["actions"]["hold"]["status"] == "prohibited"
    assert evaluation["result"]["outcome"] == "must_not_comply"
    missing = [(m["fact"], m["value"]) for m in evaluation["result"]["missing"]]
    # no single fact frees the hold (it needs a warrant AND a conviction): these free the date
    assert ("person.tsdb_match", True) in missing
    assert missing[0][0] == "person.convictions"


def test_a_judicial_warrant_and_a_recent_listed_conviction_permit_the_hold(
    desk: Desk, engine: Engine
) -> None:
    first = detainer(desk, book(desk), warrant="judicial")
    verbs.acknowledge(desk, verbs.Acknowledge("doc-officer", first))
    verbs.determine(
        desk,
        verbs.Determine("doc-legal", first, "complied", "§ 9-131 permits it.", ("release_date",)),
    )
    with engine.connect() as db:
        stored = db.scalar(
            select(orm.determinations.c.evaluation).where(
                orm.determinations.c.instrument_id == first
            )
        )
    stored = opened_evaluation(stored, first, DEVELOPMENT)
    assert stored["result"]["actions"]["hold"]["status"] == "permitted"
    assert stored["result"]["actions"]["disclose:release_date"]["status"] == "permitted"
