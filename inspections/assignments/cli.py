"""`flask plans verify-draw DRAW_ID`: re-run a surprise draw from its recorded seed.

The command sits in the `plans` group (the app factory attaches it there).
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from inspections.assignments.draw import verify_draw
from inspections.assignments.models import SurpriseDraw
from inspections.extensions import db


@click.command("verify-draw")
@click.argument("draw_id", type=int)
@with_appcontext
def verify_draw_command(draw_id: int) -> None:
    """Re-run draw DRAW_ID from its pool and seed; exit 1 unless the units are the same."""
    draw = db.session.get(SurpriseDraw, draw_id)
    if draw is None:
        raise click.ClickException(f"no draw {draw_id}")
    result = verify_draw(draw)
    click.echo(f"draw {draw.id}: plan {draw.plan_id}, team {draw.team_id}")
    click.echo(f"{draw.count} units drawn from a pool of {len(draw.pool)}")
    click.echo(f"seed sha256 recorded before the draw: {draw.seed_sha256}")
    click.echo(f"seed: {draw.seed}")
    click.echo(f"seed matches its hash: {'yes' if result.hash_matches else 'NO'}")
    click.echo(f"recorded units: {' '.join(map(str, draw.drawn_unit_ids))}")
    click.echo(f"re-run units:   {' '.join(map(str, result.rerun))}")
    if not result.ok:
        raise click.ClickException("the draw does NOT verify")
    click.echo("OK: re-running the draw gives the same units")
