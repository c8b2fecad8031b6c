"""Inspection teams and their members (/teams)."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("teams", __name__, url_prefix="/teams")

# Pages from before /teams was the prefix (bookmarks) answer 308 with their new address.
MOVED = {"moved_new": ("/plans/<int:plan_id>/teams/new", "/teams/new/<plan_id>")}


@bp.record_once
def _register_moved(state: BlueprintSetupState) -> None:
    for endpoint, (old, new) in MOVED.items():
        state.app.add_url_rule(old, f"{bp.name}.{endpoint}", redirect_to=new, methods=["GET"])
