from __future__ import annotations

import pytest
import sqlalchemy as sa

from inspections.audit.models import AuditEvent
from inspections.audit.services import GENESIS, record, verify_chain


def _three_events(db):
    for n in range(3):
        record(
            "test.change", actor=None, object_type="plan", object_id=n, before={"n": n}, after={"n": n + 1}
        )
    db.session.commit()
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()


def test_events_are_chained(db):
    events = _three_events(db)
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    report = verify_chain()
    assert report.ok and report.checked == 3


def test_a_changed_event_is_found(db):
    events = _three_events(db)
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == events[1].id).values(after={"n": 99}))
    db.session.commit()

    report = verify_chain()
    assert report.broken_at == events[1].id
    assert report.checked == 1


def test_a_deleted_event_is_found(db):
    events = _three_events(db)
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == events[1].id))
    db.session.commit()

    assert verify_chain().broken_at == events[2].id


def test_the_chain_cannot_fork(db):
    """Two appends after the same head: the second is refused by the database."""
    _three_events(db)
    head = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    db.session.add(AuditEvent(action="x", prev_hash=head.prev_hash, hash="f" * 64))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_audit_verify_command(db, runner):
    events = _three_events(db)
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0
    assert "3 events, chain intact" in ok.output

    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == events[2].id).values(action="forged"))
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"BROKEN at event {events[2].id}" in broken.output


def test_login_is_audited(client, login, make, db):
    user = make.user(username="lan")
    db.session.commit()
    login("lan")
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    assert "user.login" in actions
