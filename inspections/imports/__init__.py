"""Bulk imports as background jobs: units, their contacts, people; checked, then applied."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/imports")
