"""Time-based reminders (before and after visits, on corrective actions, the weekly digest),
a plan's reminder settings, and the schedule notice of an announced visit."""

from flask import Blueprint

bp = Blueprint("reminders", __name__)
