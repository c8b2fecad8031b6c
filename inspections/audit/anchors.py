"""Anchors: the chain's head written where the database cannot rewrite it.

The hash chain shows an event changed or removed in the middle, but not its newest events
deleted (what is left is still a valid chain), nor the whole chain recomputed. So, at
intervals, the head (count, id, hash) is appended to a file outside the database
(`AUDIT_ANCHOR_FILE`, one JSON line each, never rewritten), mailed to the admins and
shown on the System page; `flask audit verify` holds the chain against every anchor.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from inspections.audit.models import AuditEvent
from inspections.audit.services import ChainReport, verify_chain
from inspections.db import utcnow
from inspections.extensions import db


@dataclass(frozen=True)
class Anchor:
    at: str  # ISO time, UTC
    count: int  # events in the chain at that moment
    head_id: int | None
    head_hash: str | None

    @property
    def moment(self) -> datetime:
        return datetime.fromisoformat(self.at)


@dataclass(frozen=True)
class AnchorProblem:
    anchor: Anchor
    kind: str  # "truncated" or "rewritten"
    detail: str


def anchor_file() -> Path:
    configured = current_app.config.get("AUDIT_ANCHOR_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "audit-anchors.jsonl"


def current_head() -> Anchor:
    head = db.session.execute(
        sa.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    count = db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) or 0
    return Anchor(
        at=utcnow().isoformat(timespec="seconds"),
        count=count,
        head_id=head.id if head else None,
        head_hash=head.hash if head else None,
    )


def write_anchor(now: datetime | None = None) -> Anchor:
    """Append the current head to the anchor file (flushed to disk) and return it."""
    anchor = current_head()
    if now is not None:
        anchor = Anchor(now.isoformat(timespec="seconds"), anchor.count, anchor.head_id, anchor.head_hash)
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Append-only, one line per anchor: an earlier anchor is never touched again.
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(asdict(anchor), sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
    path.chmod(0o600)
    return anchor


def read_anchors() -> Iterator[Anchor]:
    path = anchor_file()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield Anchor(**json.loads(line))


def latest_anchor() -> Anchor | None:
    newest = deque(read_anchors(), maxlen=1)
    return newest[0] if newest else None


def check_anchors(anchors: list[Anchor]) -> list[AnchorProblem]:
    """Each anchored head must still be in the chain, with the same hash. (An event
    removed or changed before it breaks the chain's own links.)"""
    problems = []
    ids = {a.head_id for a in anchors if a.head_id is not None}
    rows = db.session.execute(sa.select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_(ids)))
    hashes = {event_id: digest for event_id, digest in rows}
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) or 0
    for anchor in anchors:
        if anchor.head_id is None:
            continue
        found = hashes.get(anchor.head_id)
        if found is None:
            problems.append(
                AnchorProblem(
                    anchor,
                    "truncated",
                    f"event {anchor.head_id}, the head anchored at {anchor.at} with {anchor.count} events, "
                    f"is gone; the chain now holds {total} events: "
                    f"the newest {max(anchor.count - total, 0) or 'some'} were deleted",
                )
            )
        elif found != anchor.head_hash:
            problems.append(
                AnchorProblem(
                    anchor,
                    "rewritten",
                    f"event {anchor.head_id} no longer has the hash anchored at {anchor.at} "
                    f"({anchor.head_hash[:12]}…): the chain was rewritten or cut off and continued",
                )
            )
    return problems


@dataclass(frozen=True)
class Verification:
    chain: ChainReport
    anchors_checked: int
    problems: list[AnchorProblem]

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems


def verify() -> Verification:
    """The chain's links, then the chain against every anchor."""
    anchors = list(read_anchors())
    return Verification(verify_chain(), len(anchors), check_anchors(anchors))
