"""A unit contact without an account, from the mails in the mail folder: acknowledges the
schedule notice, sends the self-assessment, reports remediation, sees it accepted, asks for
more time; the leader accepts, the coordinator grants, the reminders move."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from playwright.sync_api import expect

from inspections.db import utcnow
from inspections.i18n import local_day
from inspections.outbox.dispatch import dispatch_due
from inspections.outbox.models import Notification, NotificationStatus
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.reminders.notices import schedule_notices
from inspections.reminders.rules import schedule_due
from tests import fieldwork
from tests.factories import PASSWORD, days_from_now
from tests.links_world import FINDING_TEXT

pytestmark = pytest.mark.browser


def _mail_links(app, kind: str, db) -> list[str]:
    """Send what is due to the mail folder, then read the links out of the .eml of `kind`."""
    dispatch_due()
    db.session.expire_all()
    row = db.session.scalar(sa.select(Notification).where(Notification.kind == kind))
    assert row.status == NotificationStatus.SENT
    [path] = [
        p for p in Path(app.config["MAIL_FOLDER"]).glob("*.eml") if row.message_id.strip("<>") in p.name
    ]
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    return re.findall(r"https?://\S+?/l/[a-z-]+/[A-Za-z0-9_.\-]+", text)


def _at(live_server: str, url: str) -> str:
    return live_server + url.removeprefix(current_app.config["APP_URL"].rstrip("/"))


def _log_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _conclude(field, db) -> list[CorrectiveAction]:
    """The visit takes place; the team records two shortcomings and issues the conclusion."""
    from inspections.documents.services import Subject, issue_conclusion
    from inspections.findings.services import save_visit_finding
    from inspections.remediation.services import add_action

    visit = field.visit
    visit.starts_at, visit.ends_at = days_from_now(-1), days_from_now(-1) + timedelta(hours=4)
    db.session.commit()
    criteria = field.criteria(db)
    actions = []
    with current_app.test_request_context():
        for i, text in enumerate(("Niêm yết đầy đủ thủ tục hành chính", "Cập nhật quy chế làm việc")):
            finding = save_visit_finding(
                visit, criterion_id=criteria[i].id, result="non_compliant", severity="low",
                text=FINDING_TEXT, expected_version=None, actor=field.leader,
            )  # fmt: skip
            actions.append(
                add_action(
                    finding, description=text, working_days=10, unit_id=field.unit.id, actor=field.leader
                )
            )
        issue_conclusion(Subject(visit, None), actor=field.leader, store_files=False)
    db.session.commit()
    return actions


def test_a_unit_contact_acts_from_the_mails_and_the_team_and_coordinator_answer(
    app, db, make, live_server, browser
):
    field = fieldwork.build(make, db, visit_at=days_from_now(10))
    schedule_notices(field.visit)
    db.session.commit()
    links = _mail_links(app, "schedule_notice", db)
    acknowledge = next(u for u in links if "/l/acknowledge/" in u)
    self_assessment = next(u for u in links if "/l/self-assessment/" in u)

    contact = browser.new_context(viewport={"width": 1280, "height": 900})
    page = contact.new_page()
    page.set_default_timeout(15_000)
    page.goto(_at(live_server, acknowledge))
    expect(page.get_by_role("heading", name="Quận Hà Đông")).to_be_visible()
    page.get_by_role("button", name="Đơn vị đã nhận được thông báo").click()
    expect(page.get_by_text("Cảm ơn: thông báo đã được xác nhận.")).to_be_visible()

    page.goto(_at(live_server, self_assessment))
    page.get_by_label("Báo cáo tự đánh giá (PDF hoặc DOCX)").set_input_files(
        {"name": "bao-cao-tu-danh-gia.pdf", "mimeType": "application/pdf", "buffer": fieldwork.PDF}
    )
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator(".flash").first).to_contain_text("Đã nhận báo cáo tự đánh giá")
    expect(page.get_by_text("bao-cao-tu-danh-gia.pdf")).to_be_visible()

    # The visit takes place and the conclusion is issued: its mail carries one link per action.
    actions = _conclude(field, db)
    links = _mail_links(app, "conclusion_issued", db)
    remediation = [u for u in links if "/l/action/" in u]
    assert len(remediation) == 2 and any("/l/conclusion/" in u for u in links)

    page.goto(_at(live_server, remediation[0]))
    expect(page.get_by_text("Niêm yết đầy đủ thủ tục hành chính")).to_be_visible()
    page.get_by_label("Kết quả đơn vị đã khắc phục").fill("Đã niêm yết 45 thủ tục tại bộ phận một cửa.")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator(".flash").first).to_contain_text("đã được gửi đến đoàn kiểm tra")

    # The leader accepts the report.
    team = browser.new_context(viewport={"width": 1280, "height": 900})
    leader = team.new_page()
    leader.set_default_timeout(15_000)
    _log_in(leader, live_server, field.leader.username)
    leader.goto(f"{live_server}/actions/")
    card = leader.locator(f"#action-{actions[0].id}")
    card.get_by_role("button", name="Chấp nhận").click()
    expect(leader.locator(f"#action-{actions[0].id} .status")).to_have_text("Đã chấp nhận")
    team.close()

    # The contact opens the same link again and sees the verdict.
    page.goto(_at(live_server, remediation[0]))
    expect(page.get_by_text("Đoàn kiểm tra đã chấp nhận báo cáo.")).to_be_visible()

    # More time on the second action: asked from its link, granted by the coordinator.
    second = actions[1]
    old_due = second.due_on
    wanted = old_due + timedelta(days=30)
    page.goto(_at(live_server, remediation[1]))
    page.get_by_label("Thời hạn mới đề nghị").fill(wanted.isoformat())
    page.get_by_label("Lý do").fill("Chờ kinh phí in bảng niêm yết mới.")
    page.get_by_role("button", name="Xin gia hạn").click()
    expect(page.get_by_text("đang chờ cán bộ điều phối quyết định")).to_be_visible()
    contact.close()

    reminders_before = utcnow() + timedelta(days=(old_due - local_day(utcnow())).days - 3)
    schedule_due(reminders_before)
    db.session.commit()

    office = browser.new_context(viewport={"width": 1280, "height": 900})
    coordinator = office.new_page()
    coordinator.set_default_timeout(15_000)
    _log_in(coordinator, live_server, field.coordinator.username)
    coordinator.get_by_role("link", name="Đề nghị gia hạn").click()
    coordinator.get_by_role("button", name="Đồng ý", exact=True).click()
    expect(coordinator.locator(".flash").first).to_contain_text("Quyết định đã được ghi nhận")
    office.close()

    db.session.expire_all()
    assert db.session.get(CorrectiveAction, second.id).due_on == wanted
    assert db.session.get(CorrectiveAction, actions[0].id).status == ActionStatus.ACCEPTED
    # The reminders follow: the old one is cancelled at send time, the new date has its own.
    dispatch_due()
    db.session.expire_all()
    old = db.session.scalars(
        sa.select(Notification).where(
            Notification.object_type == "corrective_action",
            Notification.object_id == second.id,
            Notification.idempotency_key.like(f"%{old_due.isoformat()}"),
        )
    ).all()
    assert old and all(n.status == NotificationStatus.CANCELLED for n in old)
    schedule_due(reminders_before + timedelta(days=30))
    db.session.commit()
    keys = db.session.scalars(
        sa.select(Notification.idempotency_key).where(
            Notification.object_type == "corrective_action", Notification.object_id == second.id
        )
    ).all()
    assert any(k.endswith(wanted.isoformat()) for k in keys)
    decided = db.session.scalar(sa.select(Notification).where(Notification.kind == "extension_decided"))
    assert decided.status == NotificationStatus.SENT
