from __future__ import annotations

import sqlalchemy as sa

from inspections.outbox.models import Notification, NotificationStatus
from inspections.outbox.services import enqueue


def test_one_row_per_idempotency_key(db):
    first = enqueue(key="visit:1:T-3:user:7", kind="visit_reminder", email="a@test.example")
    again = enqueue(key="visit:1:T-3:user:7", kind="visit_reminder", email="a@test.example")
    db.session.commit()

    assert first is not None and again is None
    rows = db.session.scalars(sa.select(Notification)).all()
    assert len(rows) == 1
    assert rows[0].status == NotificationStatus.PENDING
    assert rows[0].message_id.startswith("<") and rows[0].message_id.endswith(">")
