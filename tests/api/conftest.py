"""Fixtures of the API tests: tokens made through the service, headers that carry them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from inspections.auth import tokens
from inspections.auth.models import User
from tests.kernel.conftest import world  # noqa: F401 - the personas' world, shared with the matrix


@pytest.fixture
def bearer(db) -> Callable[..., dict[str, str]]:
    """`bearer(user_or_username, scope="read")`: the Authorization header of a new token."""

    def make(who: User | str, scope: str = "read", days: int = 30) -> dict[str, str]:
        user = (
            who if isinstance(who, User) else db.session.scalar(sa.select(User).where(User.username == who))
        )
        _token, raw = tokens.create_token(user, name="test", scope=scope, days=days, actor=user)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return make
