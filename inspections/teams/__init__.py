"""Inspection teams and their members."""

from flask import Blueprint

bp = Blueprint("teams", __name__)
