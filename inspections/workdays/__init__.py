"""The working-day calendar (`calendar`) and its administration: the announced exceptions."""

from flask import Blueprint

bp = Blueprint("workdays", __name__, url_prefix="/admin/calendar")
