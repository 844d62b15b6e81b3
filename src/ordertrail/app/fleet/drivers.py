"""Drivers and their sign-in on the phone.

The shop issues each driver a PIN (shown once, stored only as an argon2 hash like a staff
password: a PIN is short, so every guess must be slow, and the page limits guesses). A signed-in
phone carries a token that names the driver and when it stops working, signed with a key
derived from the install's link secret: a shift needs no session table, and a disabled driver
is refused on the next request because every request reads the driver again."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ordertrail.app.fleet.ports import Driver
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.staff.access import AccessError
from ordertrail.app.staff.access_ports import PasswordHasher

PIN_DIGITS = 8
SHIFT = timedelta(hours=14)
MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class IssuedDriver:
    driver: Driver
    pin: str  # shown to the shop once; never stored
    added: bool


def add_driver(
    uows: UnitOfWorkFactory, hasher: PasswordHasher, name: str, fleet: str, now: datetime
) -> IssuedDriver:
    """A driver with a new PIN (a driver of that name gets a new one: the old one stops)."""
    name, fleet = name.strip(), fleet.strip()
    if not name or len(name) > MAX_NAME or any(ch in name for ch in "\x00:"):
        raise AccessError(f"a driver's name is 1 to {MAX_NAME} characters, without ':'")
    if not fleet or len(fleet) > 50 or any(ch in fleet for ch in "\x00:"):
        raise AccessError("a fleet's name is 1 to 50 characters, without ':'")
    pin = "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
    driver = Driver(name, fleet, hasher.hash(pin))
    with uows() as uow:
        added = uow.fleet.add_driver(driver, now)
        uow.commit()
    return IssuedDriver(driver, pin, added)


def set_disabled(uows: UnitOfWorkFactory, name: str, disabled: bool, now: datetime) -> bool:
    """Lock a driver out now (a signed-in phone is refused on its next action; what it had
    queued stays on the phone) or let them in again."""
    with uows() as uow:
        done = uow.fleet.set_disabled(name.strip(), disabled, now)
        uow.commit()
    return done


def list_drivers(uows: UnitOfWorkFactory) -> list[Driver]:
    with uows(read_only=True) as uow:
        return uow.fleet.drivers()


@dataclass(frozen=True, slots=True)
class DriverSession:
    driver: Driver
    token: str
    csrf: str  # sent back in a header with every action: another site's page cannot


def sign_in(
    uows: UnitOfWorkFactory, hasher: PasswordHasher, name: str, pin: str, now: datetime
) -> DriverSession | None:
    """A session for the right name and PIN; None otherwise (a wrong name and a wrong PIN look
    alike, and take as long)."""
    with uows(read_only=True) as uow:
        driver = uow.fleet.driver(name.strip())
    if driver is None or driver.disabled or driver.id is None:
        hasher.verify(_dummy(hasher), pin)
        return None
    if not hasher.verify(driver.pin_hash, pin.strip()):
        return None
    until = int((now + SHIFT).timestamp())
    payload = f"{driver.id}.{until}"
    token = f"{payload}.{_sign(uows.link_secret(), payload)}"
    return DriverSession(driver, token, csrf_of(uows, token))


def session_of(uows: UnitOfWorkFactory, token: str, now: datetime) -> DriverSession | None:
    """The driver a phone's token signs in, while the token is fresh and the driver enabled."""
    driver_id, _, rest = token.partition(".")
    until, _, signature = rest.partition(".")
    if not (driver_id.isdigit() and until.isdigit()) or len(token) > 200:
        return None
    expected = _sign(uows.link_secret(), f"{driver_id}.{until}")
    if not hmac.compare_digest(expected, signature) or int(until) < now.timestamp():
        return None
    with uows(read_only=True) as uow:
        driver = uow.fleet.driver_by_id(int(driver_id))
    if driver is None or driver.disabled:
        return None
    return DriverSession(driver, token, csrf_of(uows, token))


def csrf_of(uows: UnitOfWorkFactory, token: str) -> str:
    return _sign(uows.link_secret(), f"csrf:{token}")


def _sign(secret: bytes, payload: str) -> str:
    key = hmac.new(secret, b"driver-sessions", hashlib.sha256).digest()  # apart from links
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


_dummies: dict[int, str] = {}


def _dummy(hasher: PasswordHasher) -> str:
    if id(hasher) not in _dummies:
        _dummies[id(hasher)] = hasher.hash("no driver has this pin")
    return _dummies[id(hasher)]
