"""WSGI entry point: `gunicorn wsgi:app`."""

from inspections import create_app

app = create_app()
