import click
from flask.cli import AppGroup
from sqlalchemy import select

from inspections.auth.models import Role
from inspections.auth.services import create_user
from inspections.errors import DomainError
from inspections.extensions import db
from inspections.units.models import Language, Unit

cli = AppGroup("users", help="User accounts.")


@cli.command("create")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "unit_code", help="Code of the user's home unit.")
@click.option("--language", type=click.Choice([lang.value for lang in Language]), default="vi")
@click.password_option()
def create(
    username: str, email: str, full_name: str, role: str, unit_code: str | None, language: str, password: str
) -> None:
    """Create an account."""
    unit_id = None
    if unit_code:
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == unit_code))
        if unit_id is None:
            raise click.ClickException(f"No unit with code {unit_code!r}.")
    try:
        user = create_user(
            username=username,
            email=email,
            full_name=full_name,
            password=password,
            role=Role(role),
            home_unit_id=unit_id,
            language=Language(language),
        )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role.value}).")
