import click
from flask.cli import AppGroup

from inspections.audit.services import verify_chain

cli = AppGroup("audit", help="The audit log.")


@cli.command("verify")
def verify() -> None:
    """Check the hash chain; exit 1 at the first broken link."""
    report = verify_chain()
    if report.ok:
        click.echo(f"OK: {report.checked} events, chain intact.")
        return
    click.echo(
        f"BROKEN at event {report.broken_at}: {report.reason} "
        f"({report.checked} events before it are intact).",
        err=True,
    )
    raise SystemExit(1)
