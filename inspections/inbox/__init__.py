"""What waits on each person: one page, and a count in the navigation."""

from flask import Blueprint

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
