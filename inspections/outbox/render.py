"""A Notification row made into an email, in the recipient's language.

Pure: it reads the row (its links are in its context since it was written) and writes
nothing, so a retry renders the very same mail.
"""

from __future__ import annotations

import email.policy
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale

from inspections.outbox.kinds import kind_of
from inspections.outbox.models import Notification
from inspections.outbox.tokens import preferences_token, unsubscribe_token

LIST_ID = "Kiem tra CCHC <reminders.inspections.example>"


class _HeaderClasses(HeaderRegistry):
    """The standard registry builds a new class for every header it parses; one per name
    does (it was a third of the time spent making a mail)."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]


MAIL_POLICY = email.policy.SMTP.clone(header_factory=_HeaderClasses())


def _revive(context: dict[str, Any]) -> dict[str, Any]:
    """ISO strings back into dates, by the key convention of templates/email/README.md."""
    out = dict(context)
    for key, value in context.items():
        if not isinstance(value, str) or not value:
            continue
        try:
            if key.endswith("_at"):
                out[key] = datetime.fromisoformat(value)
            elif key.endswith(("_on", "_date")):
                out[key] = date.fromisoformat(value[:10])
        except ValueError:
            pass
    return out


def template_context(row: Notification) -> dict[str, Any]:
    ctx = _revive(row.context or {})
    app_url = current_app.config["APP_URL"].rstrip("/")
    ctx.update(
        kind=row.kind,
        mandatory=row.mandatory,
        recipient_name=row.recipient_name,
        recipient_email=row.recipient_email,
        language=str(row.language),
        app_url=app_url,
        unsubscribe_url=None,
        preferences_url=None,
    )
    if ctx.get("action_path"):
        ctx["action_url"] = app_url + str(ctx["action_path"])
    if not row.mandatory:
        ctx["unsubscribe_url"] = app_url + url_for(
            "outbox.unsubscribe", token=unsubscribe_token(row.recipient_email, row.kind)
        )
        ctx["preferences_url"] = app_url + url_for(
            "outbox.preferences", token=preferences_token(row.recipient_email)
        )
    return ctx


def _render(name: str, context: dict[str, Any]) -> str:
    # Straight from the Jinja environment: a mail is not a page, so the request's context
    # processors (current user, CSRF, ...) have nothing to add, and they cost per mail.
    return current_app.jinja_env.get_template(name).render(context)


def url_context() -> AbstractContextManager[object]:
    """url_for and Babel need a request context: outside a request (a worker, a shell) a
    bare one, in which no request hooks run. The dispatcher pushes one per batch: Babel
    caches the loaded catalogues on it."""
    return nullcontext() if has_request_context() else current_app.test_request_context()


def render(row: Notification) -> EmailMessage:
    """The message as it goes out; the same row always gives the same Message-ID and Date."""
    templates = kind_of(row.kind).templates
    with url_context(), force_locale(str(row.language)):
        ctx = template_context(row)
        subject = " ".join(_render(f"{templates}.subject.txt", ctx).split())
        text = _render(f"{templates}.txt", ctx | {"subject": subject})
        html = _render(f"{templates}.html", ctx | {"subject": subject})

    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_FROM"]
    # A line break in a name would break the header: names are refused with one now, but a
    # row written before that still goes out, its name on one line.
    message["To"] = Address(display_name=" ".join(row.recipient_name.split()), addr_spec=row.recipient_email)
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(max(row.due_at, row.created_at))
    message["List-Id"] = LIST_ID
    # RFC 3834: an automatic message; out-of-office replies should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    if not row.mandatory:
        message["List-Unsubscribe"] = f"<{ctx['unsubscribe_url']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
