"""The inbox item for an offline save the server refused: it names the unit and the
criterion, links to the finding, and leaves once the corrected save is accepted."""

from __future__ import annotations

from inspections.inbox.services import ItemKind, inbox_of
from tests import fieldwork
from tests.conftest import csrf_token


def _save(client, field, criterion, **fields):
    token = csrf_token(client, f"/visits/{field.visit.id}")
    data = {"csrf_token": token, "criterion_id": str(criterion.id), "version": "", "queued": "1", **fields}
    return client.post(
        f"/visits/{field.visit.id}/findings",
        data=data,
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )


def test_a_refused_offline_save_waits_in_the_members_inbox_until_it_is_saved(app, client, login, db, make):
    field = fieldwork.build(make, db)
    criterion = field.criteria(db)[0]
    login(field.member.username)
    assert _save(client, field, criterion, result="non_compliant").status_code == 400

    with app.test_request_context():
        items = inbox_of(field.member).items.get(ItemKind.REFUSED_SAVE, [])
        assert len(items) == 1
        assert field.visit.inspection.unit.name in items[0].text
        assert criterion.code in items[0].text
        assert items[0].url.endswith(f"/visits/{field.visit.id}#c{criterion.id}")
        # Someone else's refusal is not in the leader's inbox.
        assert ItemKind.REFUSED_SAVE not in inbox_of(field.leader).items
    page = client.get("/inbox/")
    assert criterion.code in page.get_data(as_text=True)

    assert _save(client, field, criterion, result="non_compliant", severity="high").status_code == 200
    with app.test_request_context():
        assert ItemKind.REFUSED_SAVE not in inbox_of(field.member).items
