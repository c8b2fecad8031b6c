"""Signed links in mail: what a unit contact does without a password, and the unit dashboard."""

from flask import Blueprint

bp = Blueprint("links", __name__)
