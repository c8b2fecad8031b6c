"""Entry point for `celery -A workers.celery_app worker|beat`."""

from inspections import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
