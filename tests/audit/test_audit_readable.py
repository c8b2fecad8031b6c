"""The audit log reads as sentences: who, what, when (Hà Nội time), the object with a link,
and before → after field by field, values as words."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import sqlalchemy as sa

from inspections.accounts.services import change_role, deactivate
from inspections.audit.models import AuditEvent
from inspections.audit.services import record
from inspections.auth.models import Role
from inspections.units.models import Language


def _row(page: str, event_id: int) -> str:
    match = re.search(rf'<tr id="event-{event_id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for event {event_id}"
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", match[1]).split()))


def test_a_role_change_reads_as_a_sentence_with_names(db, make, client, login, in_request):
    admin = make.user(Role.ADMIN, username="boss", full_name="Quản Trị", language=Language.EN)
    unit = make.unit(code="HD", name="Quận Hà Đông")
    user = make.user(Role.INSPECTOR, full_name="Lê Văn Cường")
    change_role(user, role=Role.UNIT_CONTACT, unit=unit, actor=admin)
    deactivate(user, actor=admin)
    db.session.commit()
    login("boss")

    page = client.get("/audit/").get_data(as_text=True)
    role_event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.set_role")).one()
    row = _row(page, role_event.id)
    assert "Quản Trị" in row and "boss" in row
    assert "Changed an account's role or home unit" in row
    assert "Account: Lê Văn Cường" in row
    assert "Role Inspector → Unit contact" in row
    assert "Home unit — → Quận Hà Đông" in row
    assert f'href="/admin/users/{user.id}"' in page
    off = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.set_active")).one()
    assert "Deactivated an account" in _row(page, off.id) and "Active Yes → No" in _row(page, off.id)
    assert "user.set_role" not in row and "{" not in row
    assert 'class="table stack' in page and 'data-label="Changes"' in page

    # The existing filters still work; the kinds of object are offered by name.
    assert '<option value="user">Account</option>' in page
    only = client.get(f"/audit/?object=user&object_id={user.id}").get_data(as_text=True)
    expected = db.session.scalars(
        sa.select(AuditEvent.id).where(AuditEvent.object_type == "user", AuditEvent.object_id == user.id)
    )
    shown = {int(n) for n in re.findall(r'<tr id="event-(\d+)">', only)}
    assert shown == set(expected) and {role_event.id, off.id} <= shown and len(shown) == 3


def test_times_are_shown_in_ha_noi_and_unknown_codes_still_read(db, make, client, login):
    make.user(Role.ADMIN, username="boss", language=Language.EN)
    event = record(
        "gizmo.frobnicate", actor=None, object_type="gizmo", object_id=7, after={"due_on": "2019-10-15"}
    )
    event.occurred_at = datetime(2019, 10, 14, 20, 30, tzinfo=UTC)  # 03:30 on the 15th in Hà Nội
    db.session.commit()
    login("boss")

    row = _row(client.get("/audit/").get_data(as_text=True), event.id)
    assert "15/10/2019 03:30" in row
    assert "The system" in row
    assert "Another change (gizmo.frobnicate)" in row
    assert "Due date 15/10/2019" in row
