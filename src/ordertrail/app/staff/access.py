"""Staff sign-in, console sessions and API keys.

Secrets are shown once and stored only as hashes: a password through the slow hasher
(argon2), a session token and an API key through SHA-256 (they are 256 random bits, so a
fast hash is enough and lets each request find its key by index).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ordertrail.app.ports import DatabaseUnavailable, UnitOfWorkFactory, WriteConflict
from ordertrail.app.staff.access_ports import ApiKey, PasswordHasher, StaffSession, StaffUser
from ordertrail.domain.access import Principal, Role

KEY_PREFIX = "otk_"
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD = 12
MAX_NAME = 100  # of a key or a staff email: what `key:`/`ops:` prefixes still fit in 120
# Verified when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_PASSWORD = "not a password anyone has"


class AccessError(ValueError):
    """A request the caller can fix (a short password, an unknown role); the message says how."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key: `secret` is shown to the person once and never stored."""

    id: int
    secret: str
    key: ApiKey


def add_staff(
    uows: UnitOfWorkFactory,
    hasher: PasswordHasher,
    email: str,
    name: str,
    role: Role,
    password: str,
    now: datetime,
) -> bool:
    """Add a staff member (or reset one's role, name and password); True when new."""
    email = email.strip().lower()
    # Staff are named by their email wherever they act (case history, `ops:<email>` sources),
    # hence shorter than email allows.
    if "@" not in email or len(email) > MAX_NAME or "\x00" in email:
        raise AccessError(f"'{email}' is not an email address of at most {MAX_NAME} characters")
    if len(name) > 120 or "\x00" in name:
        raise AccessError("a name has at most 120 characters")
    if len(password) < MIN_PASSWORD:
        raise AccessError(f"a password needs at least {MIN_PASSWORD} characters")
    user = StaffUser(email, name.strip() or email, role, hasher.hash(password))
    with uows() as uow:
        added = uow.staff.add_user(user, now)
        uow.commit()
    return added


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str  # the cookie's value; only its digest is stored
    session: StaffSession


def sign_in(
    uows: UnitOfWorkFactory, hasher: PasswordHasher, email: str, password: str, now: datetime
) -> SignedIn | None:
    """A new console session for the right email and password; None otherwise (the caller
    cannot tell a wrong email from a wrong password)."""
    # The slow hash is checked outside any transaction: holding SQLite's write lock for it
    # would stall every writer for as long as each sign-in takes.
    with uows(read_only=True) as uow:
        user = uow.staff.user(email.strip().lower())
    if user is None or user.disabled or user.id is None:
        hasher.verify(_dummy_hash(hasher), password)
        return None
    if not hasher.verify(user.password_hash, password):
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    until = now + SESSION_LIFETIME
    with uows() as uow:
        uow.staff.start_session(digest(token), user.id, csrf, now, until)
        uow.commit()
    return SignedIn(token, StaffSession(user, csrf, until))


_dummy: dict[int, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """One hash per hasher (by identity; a process has one), made on first use: hashing is
    deliberately slow."""
    if id(hasher) not in _dummy:
        _dummy[id(hasher)] = hasher.hash(_DUMMY_PASSWORD)
    return _dummy[id(hasher)]


def session_of(uows: UnitOfWorkFactory, token: str, now: datetime) -> StaffSession | None:
    if not token or len(token) > 200:
        return None
    with uows(read_only=True) as uow:
        return uow.staff.session(digest(token), now)


def sign_out(uows: UnitOfWorkFactory, token: str) -> None:
    with uows() as uow:
        uow.staff.end_session(digest(token))
        uow.commit()


def issue_key(
    uows: UnitOfWorkFactory,
    name: str,
    role: Role,
    by: str,
    now: datetime,
    *,
    site: str | None = None,
) -> IssuedKey:
    """A new API key for an integration; its secret is in the answer and nowhere else."""
    name = name.strip()
    if not name or len(name) > MAX_NAME or "\x00" in name:
        raise AccessError(
            f"a key needs a name of 1 to {MAX_NAME} characters (the integration it is for)"
        )
    if site is not None and role is not Role.WAREHOUSE:
        raise AccessError("only a warehouse key is bound to a site")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        role=role,
        prefix=secret[: len(KEY_PREFIX) + 6],
        key_hash=digest(secret),
        created_at=now,
        created_by=by,
        site=site,
    )
    with uows() as uow:
        key_id = uow.staff.add_key(key)
        uow.commit()
    return IssuedKey(key_id, secret, key)


def principal_of_key(uows: UnitOfWorkFactory, secret: str, now: datetime) -> Principal | None:
    """Whom an API key acts for; None for an unknown or revoked key."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    # Read without the write lock (SQLite takes it for every writing transaction): every API
    # request passes here.
    with uows(read_only=True) as uow:
        key = uow.staff.key(digest(secret))
    if key is None or key.revoked_at is not None or key.id is None:
        return None
    # Written at most once a minute per key, and only when no other writer holds the
    # database: a read must never wait for a write (the next request records it instead).
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        try:
            with uows(wait=False) as uow:
                uow.staff.key_used(key.id, now)
                uow.commit()
        except (WriteConflict, DatabaseUnavailable):  # a full disk too: the read stands
            pass
    return Principal(f"key:{key.name}", key.role, key.site)


def list_keys(uows: UnitOfWorkFactory) -> list[ApiKey]:
    with uows(read_only=True) as uow:
        return uow.staff.keys()


def revoke_key(uows: UnitOfWorkFactory, key_id: int, now: datetime) -> bool:
    with uows() as uow:
        done = uow.staff.revoke_key(key_id, now)
        uow.commit()
    return done


def set_disabled(uows: UnitOfWorkFactory, email: str, disabled: bool, now: datetime) -> bool:
    """Disable a staff member (their sessions end now) or enable them again."""
    with uows() as uow:
        done = uow.staff.set_disabled(email.strip().lower(), disabled, now)
        uow.commit()
    return done


def list_staff(uows: UnitOfWorkFactory) -> list[StaffUser]:
    with uows(read_only=True) as uow:
        return uow.staff.users()
