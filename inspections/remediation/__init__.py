"""Corrective actions and the units' reports on them."""

from flask import Blueprint

bp = Blueprint("remediation", __name__, url_prefix="/actions")
