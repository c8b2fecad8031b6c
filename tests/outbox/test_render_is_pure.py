"""Rendering a mail writes nothing: its links were issued when its row was written."""

from __future__ import annotations

import sqlalchemy as sa

from inspections.outbox.render import render
from inspections.reminders.notices import schedule_notices
from tests import fieldwork
from tests.factories import days_from_now
from tests.links_world import LINK_RE, issued


def _rows_per_table(db) -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _render_writes_nothing(db, row) -> list[str]:
    before = _rows_per_table(db)
    text = render(row).get_body(("plain",)).get_content()
    assert not (db.session.new or db.session.dirty or db.session.deleted)
    db.session.flush()
    assert _rows_per_table(db) == before
    return LINK_RE.findall(text)


def test_rendering_a_schedule_notice_with_its_links_writes_no_row(db, make):
    field = fieldwork.build(make, db, visit_at=days_from_now(10))
    [row] = schedule_notices(field.visit)
    db.session.commit()

    links = _render_writes_nothing(db, row)
    assert any("/l/acknowledge/" in u for u in links) and any("/l/self-assessment/" in u for u in links)
    assert _render_writes_nothing(db, row) == links  # a retry: the very same links


def test_rendering_a_conclusion_with_its_action_links_writes_no_row(db, make):
    world = issued(make, db)

    links = _render_writes_nothing(db, world.row)
    assert sum("/l/action/" in u for u in links) == len(world.actions) == 2
    assert any("/l/conclusion/" in u for u in links)
    assert _render_writes_nothing(db, world.row) == links
