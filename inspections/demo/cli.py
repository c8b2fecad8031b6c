import os

import click
from flask.cli import AppGroup

from inspections.demo.national import MAX_SCALE, MIN_SCALE, NationalRefused, generate_national
from inspections.demo.services import load_demo
from inspections.extensions import db

cli = AppGroup("demo", help="Demo data from the source document.")


@cli.command("load")
def load() -> None:
    """Load the demo (idempotent). Passwords: $DEMO_PASSWORD, else generated and printed."""
    report = load_demo(password=os.environ.get("DEMO_PASSWORD") or None)
    db.session.commit()
    made = ", ".join(f"{n} {what}" for what, n in report.created.items()) or "nothing new"
    click.echo(f"Demo loaded: {made}.")
    click.echo("Demo accounts:")
    for username, role, password in report.accounts:
        click.echo(f"  {username:<22} {role:<13} {password}")


@cli.command("national")
@click.option(
    "--scale",
    type=click.FloatRange(MIN_SCALE, MAX_SCALE),
    default=1.0,
    show_default=True,
    help="Fraction of the national figures (100,000 units, 1,000,000 findings ...), e.g. 0.01.",
)
def national(scale: float) -> None:
    """Add the national data set on top of the demo (loaded first if missing; idempotent).

    Refused on a database that holds anything the demo did not make."""
    try:
        report = generate_national(scale=scale, password=os.environ.get("DEMO_PASSWORD") or None)
    except NationalRefused as exc:
        db.session.rollback()
        raise click.ClickException(f"Refused: {exc}.") from None
    if report.already is not None:
        click.echo(
            f"The national data set is already here (scale {report.already.get('scale')}, "
            f"made on {report.already.get('day')}): nothing to do."
        )
        return
    if report.demo_loaded:
        click.echo("Demo loaded first.")
    made = ", ".join(f"{n:,} {what}" for what, n in report.created.items())
    click.echo(f"National data set (scale {scale}) added in {report.seconds:.1f} s: {made}.")
