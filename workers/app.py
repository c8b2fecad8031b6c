"""Flask's own Celery pattern: every task runs inside the Flask app context."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init
from flask import Flask

from inspections.extensions import db
from inspections.retry import retrying


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                # One unit of work, run again whole on a transient database conflict.
                return retrying(self.run)(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.conf.include = [
        "workers.tasks",
        "workers.reminders",
        "workers.scheduling",
        "workers.webhooks",
        "workers.imports",
    ]
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    def dispose_engine(**_: Any) -> None:
        # A forked child must not reuse the parent's pooled database connections.
        with app.app_context():
            db.engine.dispose(close=False)

    # A weak receiver, kept alive by the app that owns it: a strong one would keep every app
    # ever created (one per test) alive through the signal's receiver list.
    app.extensions["celery_dispose_engine"] = dispose_engine
    worker_process_init.connect(dispose_engine, weak=True)
    return celery_app
