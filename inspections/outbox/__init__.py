"""The transactional outbox: rows written with the change that causes them, sent later.

A kernel: it knows no feature. Features register their kinds of mail (`kinds.register`);
the outbox stores, renders (purely), checks again at send time, sends and retries them,
and serves the admin outbox page and the recipients' unsubscribe and preferences pages.
"""

from flask import Blueprint

bp = Blueprint("outbox", __name__)
