"""The email outbox, reminders and preferences."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
