"""Two-factor login: TOTP (RFC 6238, pyotp) and one-time recovery codes.

A code is accepted once: the time step of the last accepted code is kept, and a code of
that step or an earlier one is refused (a code seen over a shoulder cannot be replayed).
Recovery codes are argon2-hashed like passwords, each good for one login.
"""

from __future__ import annotations

import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from inspections.audit.services import record
from inspections.auth.models import RecoveryCode, Role, User
from inspections.auth.services import hash_password, password_matches_hash
from inspections.db import utcnow
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db

RECOVERY_CODES = 10
STEP = 30
# In production, unless TOTP_REQUIRED_ROLES says otherwise.
PRODUCTION_REQUIRED = (Role.ADMIN.value, Role.COORDINATOR.value)


def required_roles() -> tuple[str, ...]:
    configured = current_app.config.get("TOTP_REQUIRED_ROLES")
    if configured is not None:
        return tuple(configured)
    if current_app.config.get("PROFILE") == "production" and not current_app.testing:
        return PRODUCTION_REQUIRED
    return ()


def enabled(user: User) -> bool:
    return user.totp_secret is not None and user.totp_enabled_at is not None


def required(user: User) -> bool:
    return user.role.value in required_roles()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.username, issuer_name=current_app.config["TOTP_ISSUER"]
    )


def qr_data_uri(uri: str) -> str:
    """The enrolment QR code as an SVG data URI (img-src allows data:, no script)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _normalise(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum()).lower()


def _accepted_step(secret: str, code: str, last_step: int | None, now: float | None = None) -> int | None:
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    now = time.time() if now is None else now
    totp = pyotp.TOTP(secret)
    current = int(now // STEP)
    for step in (current - 1, current, current + 1):  # one step of clock drift either way
        if secrets.compare_digest(totp.generate_otp(step), code):
            if last_step is not None and step <= last_step:
                return None  # replayed
            return step
    return None


def verify(user: User, code: str) -> bool:
    """Check a TOTP code of an enrolled user (recording its step: never accepted again)."""
    if not enabled(user):
        return False
    step = _accepted_step(user.totp_secret or "", code, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def enable(user: User, secret: str, code: str, *, actor: User) -> list[str]:
    """Confirm enrolment with a first code; returns the recovery codes (shown once)."""
    if enabled(user):
        raise Conflict(_l("Two-factor login is already on."))
    step = _accepted_step(secret, code, None)
    if step is None:
        raise InvalidInput(_l("That code is not right. Check the time on your phone and try again."))
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    record("user.totp_enable", actor=actor, object_type="user", object_id=user.id)
    return codes


def disable(user: User, *, actor: User) -> None:
    if not enabled(user):
        raise Conflict(_l("Two-factor login is not on."))
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record("user.totp_disable", actor=actor, object_type="user", object_id=user.id)


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 10 hex digits, shown as xxxxx-xxxxx
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_password(raw)))
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User, *, actor: User) -> list[str]:
    if not enabled(user):
        raise Conflict(_l("Two-factor login is not on."))
    codes = _new_recovery_codes(user)
    record("user.recovery_codes", actor=actor, object_type="user", object_id=user.id)
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Log in with a recovery code instead of a TOTP code: each works once."""
    raw = _normalise(code)
    if len(raw) != 10 or not enabled(user):
        return False
    unused = db.session.scalars(
        sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    for candidate in unused:
        if password_matches_hash(candidate.code_hash, raw):
            candidate.used_at = utcnow()
            record("user.recovery_code_used", actor=user, object_type="user", object_id=user.id)
            return True
    return False


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(RecoveryCode.id)).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )
