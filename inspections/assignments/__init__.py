"""Assignment of units to teams, conflict-of-interest screening and the surprise draw
(/assignments)."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("assignments", __name__, url_prefix="/assignments")

# Pages from before /assignments was the prefix (bookmarks, a draw's record shared with an
# auditor) answer 308 with their new address. The old POST-only addresses are gone: nobody
# bookmarks a button.
MOVED = {
    "moved_draw": ("/plans/<int:plan_id>/draw", "/assignments/draw/<plan_id>"),
    "moved_draw_detail": ("/draws/<int:draw_id>", "/assignments/draws/<draw_id>"),
}


@bp.record_once
def _register_moved(state: BlueprintSetupState) -> None:
    for endpoint, (old, new) in MOVED.items():
        state.app.add_url_rule(old, f"{bp.name}.{endpoint}", redirect_to=new, methods=["GET"])
