"""Signing keys: the deployment's certificate authority and each agency's signing key
(docs/adr/0018-documents.md).

The CA is made on first need (the first agency key); an agency's key too, on its first
document, or by its administrator (``lexdesk keys create``). Rotation retires the key in use
and makes a new one: a retired key signs nothing new, and its certificate stays, so every
document it signed still verifies. Private keys are encrypted at rest by the press
(``adapters.press``) with the deployment's key passphrase; the services never see them.
"""

from __future__ import annotations

from datetime import datetime

from lexdesk.domain.agencies import User
from lexdesk.domain.documents import KeyPurpose, Letterhead, SigningKey
from lexdesk.domain.errors import InvalidInput, NotFound, NotPermitted
from lexdesk.domain.ids import new_id
from lexdesk.domain.permissions import Permission
from lexdesk.services import audit
from lexdesk.services.authorization import authorize
from lexdesk.services.context import Desk, acting_user, agency, audit_actor
from lexdesk.services.ports import DocumentPress, UnitOfWork

#: The largest seal image accepted (a PNG).
SEAL_LIMIT = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _press(desk: Desk) -> DocumentPress:
    if desk.press is None:
        raise InvalidInput("this desk makes no documents: it was built without a press")
    return desk.press


def ca_key(uow: UnitOfWork, press: DocumentPress, at: datetime) -> SigningKey:
    """The deployment CA, made the first time it is needed."""
    found = uow.documents.active_key(None)
    if found is not None:
        return found
    made = press.new_ca(new_id("key"), at)
    uow.documents.add_key(made)
    return made


def ensure_ca(desk: Desk) -> SigningKey:
    """The deployment CA, made now if there is none yet (``lexdesk init``), so that its
    certificate can be exported and trusted before the first document is signed."""
    press = _press(desk)
    with desk.uow() as uow:
        found = ca_key(uow, press, desk.clock.now())
        uow.commit()
    return found


def agency_key(uow: UnitOfWork, press: DocumentPress, agency_id: str, at: datetime) -> SigningKey:
    """The key that signs for an agency now, made the first time it is needed."""
    found = uow.documents.active_key(agency_id)
    if found is not None:
        return found
    return _new_key(uow, press, agency_id, at)


def _new_key(uow: UnitOfWork, press: DocumentPress, agency_id: str, at: datetime) -> SigningKey:
    named = agency(uow, agency_id)
    made = press.new_key(new_id("key"), agency_id, named.name, ca_key(uow, press, at), at)
    uow.documents.add_key(made)
    return made


def _admin_of(uow: UnitOfWork, username: str, agency_id: str) -> User:
    user = acting_user(uow, username)
    authorize(user, Permission.USER_ADMIN)
    if user.agency_id != agency_id:
        raise NotPermitted(f"only an administrator of {agency_id} manages its keys")
    return user


def create_key(desk: Desk, username: str, agency_id: str, source: str) -> SigningKey:
    """An agency's first signing key (its administrator); refused if it has one in use."""
    press = _press(desk)
    now = desk.clock.now()
    with desk.uow() as uow:
        _admin_of(uow, username, agency_id)
        if uow.documents.active_key(agency_id) is not None:
            raise InvalidInput(
                f"agency {agency_id} already has a signing key in use: rotate it instead"
            )
        made = _new_key(uow, press, agency_id, now)
        _record(desk, uow, username, agency_id, "key.create", made, source)
        uow.commit()
    return made


def rotate_key(desk: Desk, username: str, agency_id: str, source: str) -> SigningKey:
    """Retire the key in use and make a new one; what the old one signed stays verifiable."""
    press = _press(desk)
    now = desk.clock.now()
    with desk.uow() as uow:
        _admin_of(uow, username, agency_id)
        old = uow.documents.active_key(agency_id)
        if old is not None and not uow.documents.retire_key(old.id, now):
            raise InvalidInput(f"key {old.id} was retired meanwhile: list the keys and retry")
        made = _new_key(uow, press, agency_id, now)
        _record(
            desk, uow, username, agency_id, "key.rotate", made, source,
            {"retired": old.id if old else None},
        )  # fmt: skip
        uow.commit()
    return made


def import_key(
    desk: Desk,
    username: str,
    agency_id: str,
    key_pem: bytes,
    key_password: bytes | None,
    chain_pem: bytes,
    source: str,
) -> SigningKey:
    """Sign for the agency with a key its own PKI certified (its administrator): the key in
    use is retired, and what it signed stays verifiable."""
    press = _press(desk)
    now = desk.clock.now()
    with desk.uow() as uow:
        _admin_of(uow, username, agency_id)
        made = press.import_key(new_id("key"), agency_id, key_pem, key_password, chain_pem, now)
        old = uow.documents.active_key(agency_id)
        if old is not None and not uow.documents.retire_key(old.id, now):
            raise InvalidInput(f"key {old.id} was retired meanwhile: list the keys and retry")
        uow.documents.add_key(made)
        _record(
            desk, uow, username, agency_id, "key.import", made, source,
            {"retired": old.id if old else None},
        )  # fmt: skip
        uow.commit()
    return made


def list_keys(desk: Desk, username: str) -> list[SigningKey]:
    """The deployment CA's keys and the user's agency's keys (certificates are public)."""
    with desk.uow() as uow:
        user = acting_user(uow, username)
        authorize(user, Permission.AGENCY_READ)
        mine = [
            k
            for k in uow.documents.all_keys()
            if k.purpose is KeyPurpose.CA or k.agency_id == user.agency_id
        ]
    # The CA first, then the agency's keys, oldest first (the same on every database).
    return sorted(mine, key=lambda k: (k.purpose is not KeyPurpose.CA, k.created_at, k.id))


def certificate(desk: Desk, username: str, key_id: str | None, agency_id: str | None) -> SigningKey:
    """A key's certificate: by id, an agency's key in use, or (neither) the deployment CA's."""
    with desk.uow() as uow:
        user = acting_user(uow, username)
        authorize(user, Permission.AGENCY_READ)
        if key_id:
            found = uow.documents.key(key_id)
            if found is None:
                raise NotFound("key", key_id)
            return found
        found = uow.documents.active_key(agency_id)
        if found is None:
            raise NotFound("signing key of", agency_id or "the deployment CA")
        return found


def set_letterhead(
    desk: Desk, username: str, agency_id: str, address: str, seal_png: bytes | None, source: str
) -> Letterhead:
    """An agency's letterhead: its address and, optionally, its seal (a PNG up to 512 KiB)."""
    if len(address) > 500:
        raise InvalidInput("the address is longer than 500 characters")
    if seal_png is not None:
        if len(seal_png) > SEAL_LIMIT:
            raise InvalidInput(f"the seal is larger than {SEAL_LIMIT // 1024} KiB")
        if not seal_png.startswith(PNG_MAGIC):
            raise InvalidInput("the seal is not a PNG image")
    head = Letterhead(agency_id, address.strip(), seal_png)
    with desk.uow() as uow:
        _admin_of(uow, username, agency_id)
        uow.documents.set_letterhead(head, desk.clock.now())
        actor, behalf = audit_actor(desk, username)
        audit.record(
            uow,
            actor=actor,
            agency=agency_id,
            action="letterhead.set",
            object_type="agency",
            object_id=agency_id,
            source=source,
            detail={"seal": seal_png is not None, **behalf},
        )
        uow.commit()
    return head


def _record(
    desk: Desk,
    uow: UnitOfWork,
    username: str,
    agency_id: str,
    action: str,
    key: SigningKey,
    source: str,
    extra: dict[str, str | None] | None = None,
) -> None:
    actor, behalf = audit_actor(desk, username)
    audit.record(
        uow,
        actor=actor,
        agency=agency_id,
        action=action,
        object_type="key",
        object_id=key.id,
        source=source,
        detail={"fingerprint": key.fingerprint, **(extra or {}), **behalf},
    )
