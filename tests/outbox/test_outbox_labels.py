"""The admin outbox names statuses and kinds in words, never by their codes."""

from __future__ import annotations

import re

from inspections.auth.models import Role
from inspections.labels import LABELS
from inspections.outbox.kinds import KIND_LABELS, kind_label, registered
from inspections.outbox.models import NotificationStatus
from inspections.outbox.services import enqueue
from inspections.units.models import Language


def test_every_registered_kind_and_every_status_has_a_label(app):
    with app.app_context():
        missing = [k for k in registered() if k not in KIND_LABELS]
        assert missing == []
        assert all((NotificationStatus, s.value) in LABELS for s in NotificationStatus)
        with app.test_request_context():
            assert kind_label("password_link") != "password_link"


def _cells(page: str, label: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", " ", c).split()
        for c in re.findall(rf'data-label="{label}"[^>]*>(.*?)</td>', page, re.S)
    ]


def test_the_outbox_page_shows_words_in_reflowing_rows(db, make, client, login):
    admin = make.user(Role.ADMIN, language=Language.EN)
    for i, status in enumerate(
        [NotificationStatus.PENDING, NotificationStatus.SENT, NotificationStatus.CANCELLED]
    ):
        row = enqueue(key=f"l{i}", kind="schedule_notice", email=f"u{i}@unit.example")
        row.status = status
    db.session.commit()
    login(admin.username)

    page = client.get("/admin/outbox").get_data(as_text=True)
    statuses = [" ".join(words) for words in _cells(page, "Status")]
    assert sorted(statuses) == ["Cancelled (no longer relevant)", "Sent", "Waiting to be sent"]
    kinds = [" ".join(words) for words in _cells(page, "Kind")]
    assert kinds and all(k.startswith("Schedule notice") for k in kinds)
    assert 'class="table stack' in page
    assert ">pending<" not in page and ">schedule_notice<" not in page
    # The filter offers the same words.
    assert '<option value="failed">Failed</option>' in page
    assert '<option value="schedule_notice">Schedule notice</option>' in page

    filtered = client.get("/admin/outbox?status=sent").get_data(as_text=True)
    assert [" ".join(w) for w in _cells(filtered, "Status")] == ["Sent"]
