"""Checklists, findings and evidence."""

from flask import Blueprint

bp = Blueprint("findings", __name__)
