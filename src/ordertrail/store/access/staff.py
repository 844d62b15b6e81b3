"""Staff users, console sessions and API keys in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from ordertrail.app.staff.access_ports import ApiKey, StaffSession, StaffUser
from ordertrail.domain.access import Role
from ordertrail.store.tables import api_keys, staff_sessions, staff_users


class SqlStaff:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_user(self, user: StaffUser, at: datetime) -> bool:
        values = {"name": user.name, "role": user.role.value, "password_hash": user.password_hash}
        changed = self._conn.execute(
            update(staff_users).where(staff_users.c.email == user.email).values(values)
        ).rowcount
        if changed:
            self._end_sessions_of(user.email)
            return False
        self._conn.execute(insert(staff_users).values(email=user.email, created_at=at, **values))
        return True

    def set_disabled(self, email: str, disabled: bool, at: datetime) -> bool:
        changed = self._conn.execute(
            update(staff_users)
            .where(staff_users.c.email == email)
            .values(disabled_at=at if disabled else None)
        ).rowcount
        if disabled:
            self._end_sessions_of(email)
        return bool(changed)

    def _end_sessions_of(self, email: str) -> None:
        whose = select(staff_users.c.id).where(staff_users.c.email == email)
        self._conn.execute(delete(staff_sessions).where(staff_sessions.c.user_id.in_(whose)))

    def user(self, email: str) -> StaffUser | None:
        row = self._conn.execute(select(staff_users).where(staff_users.c.email == email)).first()
        return _user(row) if row else None

    def users(self) -> list[StaffUser]:
        rows = self._conn.execute(select(staff_users).order_by(staff_users.c.email))
        return [_user(row) for row in rows]

    def start_session(
        self, token_hash: str, user_id: int, csrf: str, at: datetime, until: datetime
    ) -> None:
        # Sessions past their time are cleared as new ones begin: no job needed to keep the
        # table small.
        self._conn.execute(delete(staff_sessions).where(staff_sessions.c.expires_at < at))
        self._conn.execute(
            insert(staff_sessions).values(
                token_hash=token_hash, user_id=user_id, csrf=csrf, created_at=at, expires_at=until
            )
        )

    def session(self, token_hash: str, now: datetime) -> StaffSession | None:
        query = (
            select(staff_sessions.c.csrf, staff_sessions.c.expires_at, staff_users)
            .join(staff_users, staff_users.c.id == staff_sessions.c.user_id)
            .where(
                staff_sessions.c.token_hash == token_hash,
                staff_sessions.c.expires_at > now,
                staff_users.c.disabled_at.is_(None),
            )
        )
        row = self._conn.execute(query).first()
        return StaffSession(_user(row), row.csrf, row.expires_at) if row else None

    def end_session(self, token_hash: str) -> None:
        self._conn.execute(delete(staff_sessions).where(staff_sessions.c.token_hash == token_hash))

    def add_key(self, key: ApiKey) -> int:
        values = {
            "name": key.name,
            "role": key.role.value,
            "site": key.site,
            "prefix": key.prefix,
            "key_hash": key.key_hash,
            "created_at": key.created_at,
            "created_by": key.created_by,
        }
        statement = insert(api_keys).values(values).returning(api_keys.c.id)
        return int(self._conn.execute(statement).scalar_one())

    def key(self, key_hash: str) -> ApiKey | None:
        row = self._conn.execute(select(api_keys).where(api_keys.c.key_hash == key_hash)).first()
        return _key(row) if row else None

    def keys(self) -> list[ApiKey]:
        return [_key(row) for row in self._conn.execute(select(api_keys).order_by(api_keys.c.id))]

    def revoke_key(self, key_id: int, at: datetime) -> bool:
        found = self._conn.execute(select(api_keys.c.id).where(api_keys.c.id == key_id)).first()
        self._conn.execute(
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return found is not None

    def key_used(self, key_id: int, at: datetime) -> None:
        self._conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=at))


def _user(row: Any) -> StaffUser:
    return StaffUser(
        email=row.email,
        name=row.name,
        role=Role(row.role),
        password_hash=row.password_hash,
        id=row.id,
        disabled=row.disabled_at is not None,
    )


def _key(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        site=row.site,
        prefix=row.prefix,
        key_hash=row.key_hash,
        created_at=row.created_at,
        created_by=row.created_by,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
