"""The demo's next-year plan goes from proposal to approval, and its notices reach the mail
folder: what a person trying `python3 dev.py run` does from the browser."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import sqlalchemy as sa

from inspections.auth.models import User
from inspections.demo.services import load_demo
from inspections.outbox.dispatch import dispatch_due
from inspections.outbox.models import Notification, NotificationStatus
from inspections.plans.models import Plan
from inspections.scheduling.services import approve_proposal, request_proposal
from inspections.visits.models import InspectionKind
from workers.scheduling import propose_schedule


def test_next_year_plan_is_scheduled_approved_and_its_notices_are_mailed(app, db):
    load_demo(password="demo password 1")
    plan = db.session.scalar(sa.select(Plan).where(Plan.year > 2019))
    coordinator = db.session.scalar(sa.select(User).where(User.username == "coordinator"))
    proposal = request_proposal(plan, actor=coordinator)
    db.session.commit()
    propose_schedule.apply(args=[proposal.id])
    db.session.expire_all()

    visits = approve_proposal(proposal, actor=coordinator)
    db.session.commit()

    joint = [v for v in visits if v.inspection.kind == InspectionKind.JOINT]
    assert len(joint) == 15 and len(visits) == 43
    notices = db.session.scalars(sa.select(Notification).where(Notification.kind == "schedule_notice")).all()
    assert {n.object_id for n in notices} == {v.id for v in joint}  # none for a surprise visit

    dispatch_due()
    db.session.expire_all()
    assert {n.status for n in db.session.scalars(sa.select(Notification))} == {NotificationStatus.SENT}
    mails = list(Path(app.config["MAIL_FOLDER"]).glob("*.eml"))
    ours = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in mails
        if any(n.message_id.strip("<>") in p.name for n in notices)
    ]
    assert len(ours) == len(notices)
    assert all("lịch kiểm tra" in str(m["Subject"]).lower() for m in ours)
