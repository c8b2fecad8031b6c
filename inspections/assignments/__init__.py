"""Assignment of units to teams, conflict-of-interest screening and the surprise draw."""

from flask import Blueprint

bp = Blueprint("assignments", __name__)
