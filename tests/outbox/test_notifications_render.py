"""Every outbox kind of this package renders, in Vietnamese and in English."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from inspections.db import utcnow
from inspections.outbox import kinds as outbox_kinds
from inspections.outbox.models import Notification
from inspections.outbox.render import render
from inspections.reminders import kinds
from inspections.units.models import Language

CONTEXTS = {
    kinds.SCHEDULE_NOTICE: {},
    kinds.VISIT_REMINDER: {"working_days_before": 1, "audience": "unit"},
    kinds.FINDINGS_OVERDUE: {"working_days_after": 2},
    kinds.CONCLUSION_OVERDUE: {"working_days_after": 15},
    kinds.ACTION_DUE: {"due_on": "2019-10-15", "days_left": 0, "description": "Niêm yết thủ tục"},
    kinds.ACTION_OVERDUE: {
        "due_on": "2019-10-15",
        "escalated": True,
        "working_days_overdue": 10,
        "description": "Niêm yết thủ tục",
    },  # fmt: skip
    kinds.COORDINATOR_DIGEST: {
        "upcoming_visits": 3,
        "actions_due": 2,
        "actions_overdue": 1,
        "conclusions_pending": 4,
    },  # fmt: skip
    outbox_kinds.SENDING_PAUSED: {"paused_at": "2019-10-15T02:00:00+00:00", "error": "535"},
}
VISIT = {
    "unit_name": "Quận Hà Đông",
    "team_name": "Đoàn liên ngành",
    "plan_title": "Kế hoạch 2019",
    "visit_starts_at": "2019-10-17T01:00:00+00:00",
    "visit_date": "2019-10-17",
    "team_head": "Ông A",
}


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("kind", sorted(CONTEXTS))
def test_kind_renders_in_both_languages(app, kind, language):
    row = Notification(
        kind=kind, mandatory=not outbox_kinds.is_optional(kind), recipient_email="a@test.example",
        recipient_name="Nguyễn Văn Á", language=language, context=VISIT | CONTEXTS[kind],
        message_id="<x@test>", due_at=utcnow(), created_at=utcnow(),
    )  # fmt: skip
    with app.app_context():
        message = render(row)
    again = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert again["Subject"] == message["Subject"] and "\n" not in again["Subject"]
    text = again.get_body(("plain",)).get_content()
    html = again.get_body(("html",)).get_content()
    greeting = "Kính gửi" if language == Language.VI else "Dear"
    assert greeting in text and greeting in html
    assert ("List-Unsubscribe" in again) == outbox_kinds.is_optional(kind)
    if outbox_kinds.is_optional(kind):
        assert again["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/email-preferences/" in text
