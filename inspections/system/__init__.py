"""Health and the liveness of workers and beat."""

from flask import Blueprint

bp = Blueprint("system", __name__)
