import os

import click
from flask.cli import AppGroup

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
