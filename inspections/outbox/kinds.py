"""The kinds of mail the outbox carries, each registered by the feature that writes it.

A kind is rendered from `templates/email/<name>.subject.txt`, `<name>.txt` and
`<name>.html`. It is mandatory (a notice that starts a legal step: no opt-out) or
optional (the recipient may switch it off on the preferences page, under `label`).
Its `relevance` check runs again at send time: a reason when the row is no longer true
(the visit moved, the action was reported), None to send it. Its `links` provider runs
once, when `enqueue` has written the row: it issues the signed links the mail carries and
returns them, to be stored in the row's context, so that rendering reads and writes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from inspections.outbox.models import Notification

Relevance = Callable[[Notification], str | None]
LinkProvider = Callable[[Notification], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    name: str
    mandatory: bool
    label: LazyString | None  # optional kinds: how the preferences page names them
    relevance: Relevance | None
    # What `relevance` reads from the row's context: the rows of a batch that agree on
    # these (and on their object and kind) share one check.
    reads: tuple[str, ...]
    links: LinkProvider | None

    @property
    def templates(self) -> str:
        return f"email/{self.name}"


_KINDS: dict[str, Kind] = {}


def register(
    name: str,
    *,
    optional: LazyString | None = None,
    relevance: Relevance | None = None,
    reads: tuple[str, ...] = (),
    links: LinkProvider | None = None,
) -> str:
    """Declare a kind of mail; `optional` is its label on the preferences page (mandatory
    without). Returns the name, for the registering feature's constant."""
    kind = Kind(name, optional is None, optional, relevance, reads, links)
    if _KINDS.setdefault(name, kind) != kind:
        raise ValueError(f"outbox kind {name!r} is registered twice, differently")
    return name


def registered() -> list[str]:
    """Every kind's name, for the outbox's filter (no scan of the rows for them)."""
    return sorted(_KINDS)


def kind_of(name: str) -> Kind:
    """The registered kind; a name nobody registered is a programming error."""
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no outbox kind {name!r} is registered") from None


def find(name: str) -> Kind | None:
    """The registered kind, or None (a row of a kind no longer registered fails to render)."""
    return _KINDS.get(name)


def is_optional(name: str) -> bool:
    kind = _KINDS.get(name)
    return kind is not None and not kind.mandatory


def optional_kinds() -> dict[str, LazyString]:
    """The kinds a recipient may switch off, with their labels, in registration order."""
    return {k.name: k.label for k in _KINDS.values() if k.label is not None}


# The outbox's own: the admins hear that the mail server refused our login.
SENDING_PAUSED = register("sending_paused")


# How the admin outbox names each kind. By name, since the features register their kinds
# with a name only; a kind missing here shows its name (tests/outbox/test_outbox_labels.py
# catches it).
KIND_LABELS: dict[str, LazyString] = {
    "schedule_notice": _l("Schedule notice"),
    "visit_changed": _l("Visit changed"),
    "visit_cancelled": _l("Visit cancelled"),
    "visit_reminder": _l("Visit reminder"),
    "findings_overdue": _l("Findings overdue"),
    "conclusion_overdue": _l("Conclusion overdue"),
    "action_due": _l("Corrective action due"),
    "action_overdue": _l("Corrective action overdue"),
    "coordinator_digest": _l("Weekly digest"),
    "inbox_digest": _l("Daily digest of what waits on you"),
    "conclusion_issued": _l("Conclusion issued"),
    "extension_decided": _l("Decision on more time"),
    "fresh_link": _l("Fresh link"),
    "sending_paused": _l("Sending paused"),
    "audit_anchor": _l("Audit log anchor"),
    "password_link": _l("Link to set a password"),
}


def kind_label(name: str) -> str:
    label = KIND_LABELS.get(name)
    if label is None:
        kind = _KINDS.get(name)
        label = kind.label if kind is not None else None
    return str(label) if label is not None else name
