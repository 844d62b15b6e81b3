"""Ports for staff accounts, their console sessions and the API keys of integrations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ordertrail.domain.access import Role


@dataclass(frozen=True, slots=True)
class StaffUser:
    email: str
    name: str
    role: Role
    password_hash: str
    id: int | None = None
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key as stored: only its SHA-256 and a short prefix to tell keys apart in lists."""

    name: str
    role: Role
    prefix: str
    key_hash: str
    created_at: datetime
    created_by: str
    site: str | None = None
    id: int | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StaffSession:
    user: StaffUser
    csrf: str
    expires_at: datetime


class Staff(Protocol):
    def add_user(self, user: StaffUser, at: datetime) -> bool:
        """Add a staff member, or change the role, name and password of one with that email
        (ending their sessions: a reset password must lock out whoever had the old one);
        True when new. Whether they are disabled is left as it was."""
        ...

    def user(self, email: str) -> StaffUser | None: ...

    def set_disabled(self, email: str, disabled: bool, at: datetime) -> bool:
        """Disable (ending every session) or enable a staff member; False when unknown."""
        ...

    def users(self) -> list[StaffUser]: ...

    def start_session(
        self, token_hash: str, user_id: int, csrf: str, at: datetime, until: datetime
    ) -> None: ...

    def session(self, token_hash: str, now: datetime) -> StaffSession | None:
        """The unexpired session of an enabled user with that token."""
        ...

    def end_session(self, token_hash: str) -> None: ...

    def add_key(self, key: ApiKey) -> int: ...

    def key(self, key_hash: str) -> ApiKey | None: ...

    def keys(self) -> list[ApiKey]: ...

    def revoke_key(self, key_id: int, at: datetime) -> bool:
        """Revoke a key that is not revoked yet; False when there is no such key."""
        ...

    def key_used(self, key_id: int, at: datetime) -> None: ...


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2 in production)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...
