"""The beat task anchors the audit chain's head: a file line each run, a mail a day, the
System page shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from inspections.audit.anchors import anchor_file, read_anchors
from inspections.audit.services import record
from inspections.auth.models import Role
from inspections.outbox.models import Notification
from inspections.outbox.render import render
from inspections.system.services import anchor_audit_head
from workers.tasks import anchor_audit


def test_the_task_anchors_and_mails_the_admins_once_a_day(app, db, make):
    admin = make.user(Role.ADMIN)
    make.user(Role.COORDINATOR)
    record("test.change", actor=None)
    db.session.commit()

    anchor_audit.apply()
    anchor_audit.apply()  # the next run the same day: a new anchor, no second mail

    anchors = list(read_anchors())
    assert len(anchors) == 2 and anchors[-1].count >= 3  # the users' creation and the change
    mails = db.session.scalars(sa.select(Notification).where(Notification.kind == "audit_anchor")).all()
    assert [m.recipient_email for m in mails] == [admin.email]
    with app.test_request_context():
        message = render(mails[0])
    assert anchors[0].head_hash in message.get_body(("plain",)).get_content()


def test_a_new_day_mails_again(db, make):
    make.user(Role.ADMIN)
    db.session.commit()
    today = datetime(2026, 12, 1, 3, tzinfo=UTC)
    anchor_audit_head(today)
    anchor_audit_head(today + timedelta(days=1))
    db.session.commit()
    kinds = db.session.scalars(sa.select(Notification.idempotency_key)).all()
    assert len(kinds) == 2 and anchor_file().exists()


def test_the_system_page_shows_the_latest_anchor(client, login, make, db):
    admin = make.user(Role.ADMIN)
    db.session.commit()
    anchor = anchor_audit_head()
    db.session.commit()
    login(admin.username)
    page = client.get("/admin/system").get_data(as_text=True)
    assert anchor.head_hash in page and "Neo nhật ký" in page
