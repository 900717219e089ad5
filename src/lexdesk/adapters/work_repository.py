"""Each agency's own assignments and notes (``domain.work``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from lexdesk.adapters import orm
from lexdesk.adapters.sealing import Sealer
from lexdesk.domain.work import Assignment, FormDraft, Note, SavedSearch, WorkObject


class SqlWorkRepository:
    def __init__(self, connection: Connection, sealer: Sealer) -> None:
        self._db = connection
        # Searches and drafts may name people: sealed at rest (adapters.person_records).
        self._sealer = sealer

    def assignment(
        self, object_type: WorkObject, object_id: str, agency_id: str
    ) -> Assignment | None:
        a = orm.assignments
        row = self._db.execute(
            select(a).where(self._key(object_type, object_id, agency_id))
        ).first()
        return _assignment(row) if row else None

    def assign(self, assignment: Assignment) -> None:
        """Set who works the object for the agency, replacing whoever did."""
        a = orm.assignments
        key = self._key(assignment.object_type, assignment.object_id, assignment.agency_id)
        values = {
            "assignee_id": assignment.assignee_id,
            "assigned_by": assignment.assigned_by,
            "assigned_at": assignment.assigned_at,
        }
        if self._db.execute(update(a).where(key).values(**values)).rowcount == 0:
            self._db.execute(
                insert(a).values(
                    object_type=assignment.object_type.value,
                    object_id=assignment.object_id,
                    agency_id=assignment.agency_id,
                    **values,
                )
            )

    def unassign(self, object_type: WorkObject, object_id: str, agency_id: str) -> None:
        self._db.execute(
            delete(orm.assignments).where(self._key(object_type, object_id, agency_id))
        )

    def add_note(self, note: Note) -> None:
        self._db.execute(
            insert(orm.case_notes).values(
                id=note.id,
                case_id=note.case_id,
                agency_id=note.agency_id,
                author=note.author,
                at=note.at,
                text=note.text,
            )
        )

    def notes(self, case_id: str, agency_id: str) -> list[Note]:
        """The agency's own notes on the case, oldest first."""
        n = orm.case_notes
        rows = self._db.execute(
            select(n)
            .where(n.c.case_id == case_id, n.c.agency_id == agency_id)
            .order_by(n.c.at, n.c.id)
        )
        return [Note(r.id, r.case_id, r.agency_id, r.author, r.at, r.text) for r in rows]

    def save_search(self, search: SavedSearch) -> None:
        self._db.execute(
            insert(orm.saved_searches).values(
                id=search.id,
                user_id=search.user_id,
                text=self._sealer.seal(search.text, search.id),
                at=search.at,
            )
        )

    def saved_search(self, search_id: str, user_id: str) -> SavedSearch | None:
        """The user's own search by its id; another user's id finds nothing."""
        s = orm.saved_searches
        row = self._db.execute(select(s).where(s.c.id == search_id, s.c.user_id == user_id)).first()
        if row is None:
            return None
        return SavedSearch(row.id, row.user_id, self._sealer.open(row.text, row.id), row.at)

    def save_draft(self, draft: FormDraft) -> None:
        self._db.execute(
            insert(orm.form_drafts).values(
                id=draft.id,
                user_id=draft.user_id,
                form=draft.form,
                fields=self._seal_json(
                    {name: list(values) for name, values in draft.fields.items()}, draft.id
                ),
                at=draft.at,
                sent_to=draft.sent_to,
                said=self._seal_json(draft.said, draft.id) if draft.said else None,
            )
        )

    def draft(self, draft_id: str, user_id: str) -> FormDraft | None:
        """The user's own draft; another user's id finds nothing."""
        d = orm.form_drafts
        row = self._db.execute(select(d).where(d.c.id == draft_id, d.c.user_id == user_id)).first()
        if row is None:
            return None
        typed = json.loads(self._sealer.open(row.fields, row.id))
        fields = {str(name): tuple(str(v) for v in values) for name, values in typed.items()}
        said = json.loads(self._sealer.open(row.said, row.id)) if row.said else {}
        said = said if isinstance(said, dict) else {}
        return FormDraft(row.id, row.user_id, row.form, fields, row.at, row.sent_to, said)

    def _seal_json(self, value: object, row: str) -> str:
        return self._sealer.seal(json.dumps(value, separators=(",", ":")), row)

    def claim_draft(self, draft_id: str) -> bool:
        """Mark the draft as being sent, if no one has: a second Send (a double click, another
        tab, a reload) finds it taken and sends nothing."""
        d = orm.form_drafts
        claimed = self._db.execute(
            update(d).where(d.c.id == draft_id, d.c.sent_to.is_(None)).values(sent_to="")
        )
        return bool(claimed.rowcount)

    def mark_sent(self, draft_id: str, sent_to: str | None) -> None:
        d = orm.form_drafts
        self._db.execute(update(d).where(d.c.id == draft_id).values(sent_to=sent_to))

    def forget(
        self, *, drafts_before: datetime, searches_before: datetime, keys_before: datetime
    ) -> int:
        """Delete drafts, searches and idempotency keys made before the given moments; how
        many."""
        d, s, k = orm.form_drafts, orm.saved_searches, orm.idempotency_keys
        drafts = self._db.execute(delete(d).where(d.c.at < drafts_before)).rowcount
        searches = self._db.execute(delete(s).where(s.c.at < searches_before)).rowcount
        keys = self._db.execute(delete(k).where(k.c.created_at < keys_before)).rowcount
        return int(drafts or 0) + int(searches or 0) + int(keys or 0)

    @staticmethod
    def _key(object_type: WorkObject, object_id: str, agency_id: str) -> Any:
        a = orm.assignments
        return and_(
            a.c.object_type == object_type.value,
            a.c.object_id == object_id,
            a.c.agency_id == agency_id,
        )


def _assignment(row: Any) -> Assignment:
    return Assignment(
        WorkObject(row.object_type),
        row.object_id,
        row.agency_id,
        row.assignee_id,
        row.assigned_by,
        row.assigned_at,
    )
