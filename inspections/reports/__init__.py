"""Home pages per persona, dashboards and progress."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
