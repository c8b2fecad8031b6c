"""The unit's pages: what a unit contact does from the signed links in a mail (no login),
and the same from the unit dashboard with an account; the mails that carry those links."""

from flask import Blueprint

from inspections.links.models import LinkPurpose
from inspections.links.services import register_page

bp = Blueprint("portal", __name__)

# The page each link opens: its address is in mails already sent, so it never changes.
for _purpose, _view in (
    (LinkPurpose.ACKNOWLEDGE, "acknowledge"),
    (LinkPurpose.SELF_ASSESSMENT, "self_assessment"),
    (LinkPurpose.CONCLUSION, "conclusion"),
    (LinkPurpose.REMEDIATION, "action"),
):
    register_page(_purpose, f"{bp.name}.{_view}")
