"""Celery: the app made from the Flask app, and thin tasks that call services."""
