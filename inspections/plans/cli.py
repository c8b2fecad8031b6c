"""`flask plans ...`: the group of plan commands (`verify-draw` comes from assignments)."""

from __future__ import annotations

from flask.cli import AppGroup

cli = AppGroup("plans", help="Plans and their surprise draws.")
