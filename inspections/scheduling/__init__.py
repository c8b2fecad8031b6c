"""Scheduling: proposals made by a worker, review, approval, calendars and feeds."""

from flask import Blueprint

bp = Blueprint("scheduling", __name__)
