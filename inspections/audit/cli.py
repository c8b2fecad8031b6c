import click
from flask.cli import AppGroup

from inspections.audit.anchors import verify, write_anchor
from inspections.extensions import db

cli = AppGroup("audit", help="The audit log.")


@cli.command("verify")
def verify_command() -> None:
    """Check the hash chain and hold it against the anchors; exit 1 at the first problem."""
    result = verify()
    report = result.chain
    if not report.ok:
        click.echo(
            f"BROKEN at event {report.broken_at}: {report.reason} "
            f"({report.checked} events before it are intact).",
            err=True,
        )
        raise SystemExit(1)
    if result.problems:
        for problem in result.problems:
            click.echo(f"{problem.kind.upper()}: {problem.detail}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {report.checked} events, chain intact, {result.anchors_checked} anchors hold.")


@cli.command("anchor")
def anchor_command() -> None:
    """Write the chain's head to the anchor file now."""
    anchor = write_anchor()
    db.session.rollback()
    click.echo(f"Anchored: {anchor.count} events, head {anchor.head_id} {anchor.head_hash}.")
