"""Plans: the year's inspection plan and its targets."""

from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")
