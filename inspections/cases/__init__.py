"""Cases (vụ việc): specific matters inspected on their own."""

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")
