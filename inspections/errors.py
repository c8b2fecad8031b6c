"""Domain errors. Services raise them; views turn them into a translated message."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. `message` is already translated (lazily) for the user."""

    def __init__(self, message: object) -> None:
        # Kept lazy: a service may raise outside a request (worker, CLI); the message is
        # translated only when shown.
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    """The object does not exist, or the user may not know that it does."""


class Conflict(DomainError):
    """The change clashes with the current state (duplicate, stale version, locked)."""


class InvalidInput(DomainError):
    """The input is well-formed but breaks a rule."""
