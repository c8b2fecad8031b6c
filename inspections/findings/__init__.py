"""Checklists, findings and evidence, and the team's visit page (/visits/<id>) that records them."""

from flask import Blueprint

bp = Blueprint("findings", __name__)
