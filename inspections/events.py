"""Domain events: how an effect travels from a lower feature to a higher one.

A service publishes an event after it has changed (and flushed) its state; every handler
runs at once, synchronously, in the caller's session and transaction, so the rows a
handler writes (outbox mail, cancelled reminders) commit or roll back with the change.
The publisher does not know who listens. A feature registers its handlers explicitly in
its `handlers.py` with `@handles(EventType)`; `create_app` imports those modules, and
`tests/kernel/test_events.py` lists every event with its handlers.

Events carry ids, not objects: a handler loads what it needs from the same session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar


@dataclass(frozen=True)
class VisitApproved:
    """A visit's date and time are fixed: by a schedule's approval or set by hand."""

    visit_id: int


@dataclass(frozen=True)
class VisitMoved:
    """An approved visit got another date or time."""

    visit_id: int
    old_starts_at: datetime


@dataclass(frozen=True)
class VisitCancelled:
    visit_id: int


@dataclass(frozen=True)
class ConclusionIssued:
    """A conclusion was issued: numbered, frozen, its corrective actions set."""

    document_id: int


@dataclass(frozen=True)
class ActionDueChanged:
    """A corrective action's due date moved (an extension was granted)."""

    action_id: int
    old_due_on: date


@dataclass(frozen=True)
class ExtensionDecided:
    """The coordinator granted or refused a unit's request for more time."""

    request_id: int


@dataclass(frozen=True)
class RemediationReported:
    """A unit reported what it did about a corrective action."""

    action_id: int


Event = (
    VisitApproved
    | VisitMoved
    | VisitCancelled
    | ConclusionIssued
    | ActionDueChanged
    | ExtensionDecided
    | RemediationReported
)
EVENTS: tuple[type, ...] = Event.__args__  # type: ignore[attr-defined]

E = TypeVar("E")
Handler = Callable[[E], None]

_handlers: dict[type, list[Callable[..., None]]] = {event: [] for event in EVENTS}


def handles(event_type: type[E]) -> Callable[[Handler[E]], Handler[E]]:
    """Register the decorated function as a handler of `event_type` (once per process)."""
    if event_type not in _handlers:
        raise TypeError(f"{event_type!r} is not a domain event")

    def register(handler: Handler[E]) -> Handler[E]:
        if handler not in _handlers[event_type]:
            _handlers[event_type].append(handler)
        return handler

    return register


def publish(event: Event) -> None:
    """Run every handler of the event now, in the caller's transaction.

    A handler's exception propagates: the caller's unit of work fails as a whole rather
    than committing a change without its effects.
    """
    for handler in _handlers[type(event)]:
        handler(event)


def handlers_of(event_type: type) -> list[str]:
    """The registered handlers, as `module.function` names (for the listing test)."""
    return [f"{h.__module__}.{h.__qualname__}" for h in _handlers[event_type]]
