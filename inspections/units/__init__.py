"""The registry of inspected units: hierarchy, contacts, search, import and export."""

from flask import Blueprint

bp = Blueprint("units", __name__, url_prefix="/units")
