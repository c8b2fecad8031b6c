"""Documents: minutes and conclusion notices in the Decree 30/2020/NĐ-CP layout."""

from flask import Blueprint

bp = Blueprint("documents", __name__, url_prefix="/documents")
