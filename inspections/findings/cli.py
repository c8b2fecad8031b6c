import click
from flask.cli import AppGroup

from inspections.extensions import db
from inspections.findings.checklists import load_default_template

cli = AppGroup("checklists", help="Checklist templates.")


@cli.command("load-default")
def load_default() -> None:
    """Load the default checklist (NQ 76/NQ-CP areas) and publish it; idempotent."""
    template, created = load_default_template()
    db.session.commit()
    state = "created and published" if created else "already present"
    click.echo(
        f"Checklist {template.code} version {template.version}: {state} ({len(template.criteria)} entries)."
    )
