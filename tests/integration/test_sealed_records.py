"""A person's record is sealed at rest, on both databases (security.md row 25): marker values
in every sealed field of a person, a custody, an identifier, an answer's evaluation and a
release appear nowhere in the raw SQLite files, a ``pg_dump`` or a backup; a sealed record moved
to another row does not open; an identifier is still found, under the old key too while a
rotation is under way, and ``rewrap`` brings every value and digest under the new key; a
database of the previous schema is sealed by the migration.

What stays clear, by design (docs/adr/0027-sealed-person-records.md): custody status and times
(the release lists sort by them), ids, and the blind index's keyed digests."""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url

from lexdesk.adapters import key_ring, orm
from lexdesk.adapters.backup import back_up
from lexdesk.adapters.migrations import downgrade, upgrade
from lexdesk.adapters.sealing import SealBroken
from lexdesk.bootstrap import App, blob_store, build, data_sealer
from lexdesk.config import Settings
from lexdesk.domain.persons import Charge, Conviction, IdentifierScheme
from lexdesk.services import instruments, persons, work
from tests.databases import postgres_database, sqlite_url
from tests.factories import detainer, seed_agencies

KEY_A, KEY_B = base64.b64encode(b"a" * 32).decode(), base64.b64encode(b"b" * 32).decode()
NYSID = "98765432M"
#: Each sealed field's marker, as the stored forms could spell it.
MARKERS = {
    "family name": [b"Quillfeather", b"QUILLFEATHER"],
    "given name": [b"Zelphine"],
    "place of birth": [b"Quxbridge-Marker"],
    "citizenship": [b"Zedlandia"],
    "record": [b"Markerwood"],
    "identifier": [NYSID.encode()],
    "sentence": [b"MARKER-SENTENCE-7"],
    "date of birth": [b"1981-07-14", b"July 14, 1981"],
    "conviction": [b"2013-05-17", b"May 17, 2013", b"2015-02-09", b"February 9, 2015"],
    "arrest": [b"2019-11-23", b"November 23, 2019"],
    "charge": [b"2019-11-22", b"November 22, 2019"],
    "search": [b"Vantrossel"],
    "draft": [b"Orbelline", b"1979-04-02"],
    "refusal": [b"Kestrowan"],
}


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return postgres_database(os.environ.get("PYTEST_XDIST_WORKER", "main"), "_sealed_records")


def desk(url: str, tmp: Path, key: str = KEY_A, previous: str = "") -> App:
    settings = Settings(
        database_url=url, data_key=key, data_keys_previous=previous, blob_dir=tmp / "blobs"
    )
    return build(settings)


def marked(built: App) -> tuple[str, str]:
    """A person whose every sealed field carries a marker, and an answered detainer about
    them that released their release date: the person's and the detainer's ids."""
    seed_agencies(built.desk)
    person = persons.book_person(
        built.desk,
        persons.BookPerson(
            actor="doc-officer",
            family_name="Quillfeather",
            given_name="Zelphine",
            arrested_on=date(2019, 11, 23),
            booked_at=datetime(2019, 11, 24, 18, tzinfo=UTC),
            expected_release_at=datetime(2030, 3, 2, 14, tzinfo=UTC),
            date_of_birth=date(1981, 7, 14),
            place_of_birth="Quxbridge-Marker",
            citizenship="Zedlandia",
            identifiers={"nysid": NYSID},
            charges=(Charge("NY PL 120.05", "D felony", date(2019, 11, 22)),),
            convictions=(
                Conviction(
                    "NY PL 160.15", "B felony", date(2013, 5, 17), "MARKER-SENTENCE-7",
                    date(2015, 2, 9),
                ),
            ),
            record={"home_address": "1 Markerwood Lane"},
        ),
    )  # fmt: skip
    lodged = detainer(built.desk, person, warrant="judicial")
    instruments.acknowledge(built.desk, instruments.Acknowledge("doc-officer", lodged))
    instruments.determine(
        built.desk,
        instruments.Determine(
            "doc-legal", lodged, "complied", "Section 9-131 permits it.", ("release_date",)
        ),
    )
    officer = user_id(built, "doc-officer")
    work.save_search(built.desk, officer, "Vantrossel")
    fields = {"family_name": ("Orbelline",), "date_of_birth": ("1979-04-02",)}
    work.save_draft(built.desk, officer, "person_new", fields, {"errors": {"x": "Kestrowan"}})
    return person.id, lodged


def user_id(built: App, username: str) -> str:
    with built.engine.connect() as db:
        return str(db.scalar(select(orm.users.c.id).where(orm.users.c.username == username)))


def terms(built: App) -> set[tuple[object, ...]]:
    with built.engine.connect() as db:
        found = {
            tuple(r) for t in (orm.person_terms, orm.case_terms) for r in db.execute(select(t))
        }
    assert found
    return found


def raw_bytes(url: str) -> bytes:
    if url.startswith("sqlite"):
        base = Path(str(make_url(url).database))
        return b"".join(p.read_bytes() for p in base.parent.glob(base.name + "*"))
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is needed to check a dump (Debian: postgresql-client)")
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(["pg_dump", plain], capture_output=True, check=True).stdout


def found(raw: bytes) -> list[str]:
    return [field for field, spellings in MARKERS.items() if any(m in raw for m in spellings)]


def test_no_marker_is_in_the_database_files_a_dump_or_a_backup(url: str, tmp_path: Path) -> None:
    built = desk(url, tmp_path)
    upgrade(built.engine)
    person_id, _ = marked(built)
    with built.desk.uow() as uow:  # the record reads back whole through the repository
        person = uow.persons.get(person_id)
        assert person is not None and person.place_of_birth == "Quxbridge-Marker"
        assert person.convictions[0].sentence == "MARKER-SENTENCE-7"
        assert person.custodies[0].arrested_on == date(2019, 11, 23)
        assert [c.charged_on for c in person.custodies[0].charges] == [date(2019, 11, 22)]
        assert uow.releases.about(person_id)[0].fields["release_date"].startswith("2030-03-02")
    officer = user_id(built, "doc-officer")
    with built.engine.connect() as db:
        kept = [db.scalar(select(t.c.id)) for t in (orm.form_drafts, orm.saved_searches)]
    draft = work.draft(built.desk, officer, "person_new", str(kept[0]))
    assert draft is not None and draft.fields["family_name"] == ("Orbelline",)
    assert draft.said == {"errors": {"x": "Kestrowan"}}
    assert work.saved_search(built.desk, officer, str(kept[1])) == "Vantrossel"
    out = io.BytesIO()
    back_up(
        built.engine, blob_store(built.settings), data_sealer(built.settings), out,
        datetime.now(UTC),
    )  # fmt: skip
    built.engine.dispose()
    raw = raw_bytes(url)
    assert b"release_keys" in raw  # the file is the right one
    assert found(raw) == []
    assert found(out.getvalue()) == []


def test_a_record_moved_to_another_row_does_not_open(url: str, tmp_path: Path) -> None:
    built = desk(url, tmp_path)
    upgrade(built.engine)
    person_id, _ = marked(built)
    other = persons.book_person(
        built.desk,
        persons.BookPerson(
            "doc-officer", "Quintal", "Dario", date(2020, 1, 2), datetime(2020, 1, 2, tzinfo=UTC)
        ),
    )
    table = orm.persons
    with built.engine.begin() as db:
        taken = db.scalar(select(table.c.sealed).where(table.c.id == person_id))
        db.execute(update(table).where(table.c.id == other.id).values(sealed=taken))
    with pytest.raises(SealBroken, match="does not open"), built.desk.uow() as uow:
        uow.persons.get(other.id)


def test_identifiers_are_found_through_a_rotation_and_rewrap(url: str, tmp_path: Path) -> None:
    old = desk(url, tmp_path)
    upgrade(old.engine)
    person_id, _ = marked(old)
    during = desk(url, tmp_path, KEY_B, previous=KEY_A)  # the new key seals; the old opens
    with during.desk.uow() as uow:
        known = uow.persons.by_identifier("doc", IdentifierScheme.NYSID, NYSID)
        assert known is not None and known.id == person_id
    before = key_ring.census(during.engine)
    assert list(before) == [data_sealer(old.settings).current]
    assert key_ring.rewrap(during.engine, data_sealer(during.settings)) == sum(before.values())
    assert list(key_ring.census(during.engine)) == [data_sealer(during.settings).current]
    after = desk(url, tmp_path, KEY_B)  # the old key gone: everything opens, digests match
    with after.desk.uow() as uow:
        known = uow.persons.by_identifier("doc", IdentifierScheme.NYSID, NYSID)
        assert known is not None and known.convictions[0].sentence == "MARKER-SENTENCE-7"
        assert uow.releases.about(person_id)[0].fields
        case = uow.cases.of_instrument(uow.releases.about(person_id)[0].instrument_id)
        assert case is not None and case.instruments[0].determination is not None
        assert case.instruments[0].determination.evaluation is not None


def test_the_migration_seals_a_database_of_the_previous_schema(url: str, tmp_path: Path) -> None:
    built = desk(url, tmp_path)
    sealer = data_sealer(built.settings)
    upgrade(built.engine)
    person_id, lodged = marked(built)
    with built.desk.uow() as uow:
        evaluation = uow.cases.of_instrument(lodged).instrument(lodged).determination.evaluation  # type: ignore[union-attr]
    index = terms(built)  # the name index as the desk wrote it
    downgrade(built.engine, "0025", sealer)
    with built.engine.connect() as db:
        clear = db.execute(text("SELECT place_of_birth FROM persons")).scalar_one()
    assert clear == "Quxbridge-Marker"  # the previous schema: in the clear
    with pytest.raises(RuntimeError, match="lexdesk db upgrade"):
        upgrade(built.engine)  # without the key, a database holding people is refused
    upgrade(built.engine, sealer=sealer)
    assert terms(built) == index  # the migration's copy of the word rules is the desk's
    built.engine.dispose()
    assert found(raw_bytes(url)) == []
    again = desk(url, tmp_path)
    with again.desk.uow() as uow:
        person = uow.persons.get(person_id)
        assert person is not None and person.citizenship == "Zedlandia"
        assert uow.persons.by_identifier("doc", IdentifierScheme.NYSID, NYSID) is not None
        answered = uow.cases.of_instrument(lodged).instrument(lodged).determination  # type: ignore[union-attr]
        assert answered is not None and answered.evaluation == evaluation
    with again.engine.connect() as db:
        rule = db.scalar(select(orm.determinations.c.deciding_rule))
    assert rule == evaluation["result"]["actions"]["hold"]["rule"]
