"""A Notification row made into an email, in the recipient's language.

Pure: it reads the row (its links are in its context since it was written) and writes
nothing, so a retry renders the very same mail.

Headers are written for every reader, not only Python's: a non-ASCII subject is folded
into encoded words that hold its spaces inside them (a decoder drops the folding between
two encoded words, so a space left there is lost: "Huyện GiaLâm"); List-Unsubscribe is
the plain <https://...> clients act on, never an encoded word. Message-ID, List-Id and
the calendar UIDs name this deployment's domain (`mail_domain`). Reply-To is a person
(MAIL_REPLY_TO, else the team head or coordinator the row's context names).
"""

from __future__ import annotations

import email.policy
from base64 import b64encode
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from email.headerregistry import Address, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime, parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale

from inspections.outbox.kinds import kind_of
from inspections.outbox.models import Notification
from inspections.outbox.tokens import preferences_token, unsubscribe_token

LIST_NAME = "Kiem tra CCHC"
# UTF-8 bytes per encoded word: "=?utf-8?b?" + 56 base64 characters + "?=" is 68, so a
# folded line stays under 78 characters with its header name.
_WORD_BYTES = 42


def mail_domain() -> str:
    """The domain this deployment names itself by in Message-IDs, List-Id and calendar
    UIDs: MAIL_DOMAIN, else APP_URL's host (two deployments never share one)."""
    configured = current_app.config.get("MAIL_DOMAIN")
    if configured:
        return str(configured)
    return urlsplit(current_app.config["APP_URL"]).hostname or "localhost"


def list_id() -> str:
    return f"{LIST_NAME} <reminders.{mail_domain()}>"


def _encoded_words(text: str) -> list[str]:
    """`text` as RFC 2047 encoded words (base64 of UTF-8), each of whole characters; the
    spaces are inside the words, so unfolding and decoding give `text` back exactly."""
    words, chunk = [], b""
    for char in text:
        data = char.encode()
        if len(chunk) + len(data) > _WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += data
    words.append(chunk)
    return [f"=?utf-8?b?{b64encode(w).decode('ascii')}?=" for w in words if w]


class _TextHeader(UnstructuredHeader):
    """A subject: ASCII folds at its spaces (unfolding restores them); anything else is
    written as encoded words that carry their own spaces."""

    def fold(self, *, policy: Policy) -> str:  # type: ignore[override]
        text = str(self)
        if text.isascii():
            return super().fold(policy=policy)  # type: ignore[misc]
        lines = _encoded_words(text)
        return f"{self.name}: " + (policy.linesep + " ").join(lines) + policy.linesep  # type: ignore[attr-defined]


class _VerbatimHeader(UnstructuredHeader):
    """An ASCII header clients parse as it stands (List-Unsubscribe's <URL>, List-Id): on
    one line, never turned into an encoded word (a URL fits well under 998 characters)."""

    def fold(self, *, policy: Policy) -> str:  # type: ignore[override]
        return f"{self.name}: {self}{policy.linesep}"  # type: ignore[attr-defined]


class _HeaderClasses(HeaderRegistry):
    """The standard registry builds a new class for every header it parses; one per name
    does (it was a third of the time spent making a mail)."""

    def __init__(self) -> None:
        super().__init__()
        self.map_to_type("subject", _TextHeader)
        for name in ("list-unsubscribe", "list-unsubscribe-post", "list-id"):
            self.map_to_type(name, _VerbatimHeader)
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


def reply_to(row: Notification, ctx: dict[str, Any]) -> Address | None:
    """MAIL_REPLY_TO when set; else the person the row's context names, in the order
    MAIL_REPLY_TO_ROLE gives (team head or coordinator first), never the recipient."""
    configured = current_app.config.get("MAIL_REPLY_TO")
    if configured:
        return None if configured == "none" else _address(str(configured))
    first = current_app.config.get("MAIL_REPLY_TO_ROLE") or "team_head"
    order = ("team_head", "coordinator") if first == "team_head" else ("coordinator", "team_head")
    for role in order:
        person = ctx.get(f"reply_{role}") or {}
        address = person.get("email") if isinstance(person, dict) else None
        if address and address.lower() != row.recipient_email.lower():
            return Address(display_name=" ".join(str(person.get("name") or "").split()), addr_spec=address)
    return None


def _address(text: str) -> Address:
    name, addr = parseaddr(text)
    return Address(display_name=name, addr_spec=addr)


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
        replies = reply_to(row, ctx)
        ctx["reply_to_name"] = (replies.display_name or replies.addr_spec) if replies else ""
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
    if replies is not None:
        message["Reply-To"] = replies
    message["List-Id"] = list_id()
    # RFC 3834: an automatic message; out-of-office replies should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    if not row.mandatory:
        message["List-Unsubscribe"] = f"<{ctx['unsubscribe_url']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
