"""The chain's head anchored outside the database: truncation and rewrites are named."""

from __future__ import annotations

import json

import sqlalchemy as sa

from inspections.audit.anchors import anchor_file, latest_anchor, verify, write_anchor
from inspections.audit.models import AuditEvent
from inspections.audit.services import _digest, record


def _events(db, n: int) -> list[AuditEvent]:
    for i in range(n):
        record("test.change", actor=None, object_type="plan", object_id=i, after={"n": i})
    db.session.commit()
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()


def test_an_anchor_is_appended_to_a_file_outside_the_database(db):
    events = _events(db, 4)
    first = write_anchor()
    _events(db, 1)
    second = write_anchor()
    lines = anchor_file().read_text().splitlines()
    assert [json.loads(line)["count"] for line in lines] == [4, 5]
    assert first.head_id == events[-1].id and first.head_hash == events[-1].hash
    assert latest_anchor() == second
    assert verify().ok


def test_verify_names_the_truncation_of_the_newest_three_events(db, runner):
    events = _events(db, 8)
    write_anchor()
    newest = [e.id for e in events[-3:]]
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id.in_(newest)))
    db.session.commit()

    result = verify()
    assert result.chain.ok  # what is left is still a valid chain: the anchor is what tells
    assert [p.kind for p in result.problems] == ["truncated"]
    assert "the newest 3 were deleted" in result.problems[0].detail

    cli = runner.invoke(args=["audit", "verify"])
    assert cli.exit_code == 1
    assert "TRUNCATED" in cli.output and f"event {newest[-1]}" in cli.output


def test_verify_names_a_rewritten_chain(db, runner):
    events = _events(db, 3)
    write_anchor()
    # Recompute the whole chain with a changed event: every link holds, the anchor does not.
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == events[0].id).values(after={"n": 99}))
    db.session.commit()
    prev = "0" * 64
    for event in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)):
        event.prev_hash = prev
        event.hash = "x" * 64  # free the unique value before setting the real one
        db.session.flush()
        event.hash = _digest(event)
        db.session.flush()
        prev = event.hash
    db.session.commit()

    result = verify()
    assert result.chain.ok
    assert [p.kind for p in result.problems] == ["rewritten"]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


def test_audit_anchor_command(db, runner):
    _events(db, 2)
    out = runner.invoke(args=["audit", "anchor"])
    assert out.exit_code == 0 and "Anchored: 2 events" in out.output
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "1 anchors hold" in ok.output
