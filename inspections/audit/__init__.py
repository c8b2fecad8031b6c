"""The audit log: every change, who made it, before and after, hash-chained."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
