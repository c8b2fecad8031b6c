"""Signed links in mail: single-purpose, scoped to a unit, expiring, revocable, audited.

The kernel the unit portal builds on; here only the admin's list of a unit's links.
"""

from flask import Blueprint

bp = Blueprint("links", __name__)
