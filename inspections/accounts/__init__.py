"""The users admin: the list of accounts, creating one, its role and home unit, and
switching it off; a new account, or a forgotten password, gets a one-time link by mail
(inspections.auth.services.send_password_link)."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/admin/users")
