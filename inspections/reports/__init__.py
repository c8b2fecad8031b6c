"""Home pages per persona and dashboards (a plan's progress is counted in `plans.progress`)."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
