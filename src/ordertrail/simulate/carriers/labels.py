"""The barcodes a simulated parcel carries: its carton's GS1 SSCC and its carrier's tracking
number, each with a valid check digit, as a real label has (a mistyped number is refused at
the scan station, so the simulator must not make one up)."""

from __future__ import annotations

import random

from ordertrail.domain.model import DomainError
from ordertrail.sources.tracking_numbers import identify

#: A made-up GS1 company prefix for the simulated shop (the 0 extension digit first).
COMPANY_PREFIX = "00614141"


def sscc(serial: int) -> str:
    """An 18-digit Serial Shipping Container Code with its GS1 mod-10 check digit."""
    body = f"{COMPANY_PREFIX}{serial:09d}"
    return body + _gs1_check_digit(body)


def _gs1_check_digit(body: str) -> str:
    total = sum(int(d) * (3 if n % 2 == 0 else 1) for n, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def tracking_number(carrier: str, rng: random.Random) -> str:
    """A number in the carrier's format whose check digit the carrier's own rule accepts; the
    digit is found by asking the same rule the scan station and the importers ask."""
    while True:
        body = _body(carrier, rng)
        for digit in "0123456789":
            try:
                if identify(body + digit).carrier == carrier:
                    return body + digit
            except DomainError:  # that digit is wrong: try the next
                continue


def _body(carrier: str, rng: random.Random) -> str:
    if carrier == "ups":
        service = rng.choice(("01", "02", "03", "12", "13", "42"))  # codes UPS uses
        return f"1Z{rng.randint(0, 999):03d}AA1{service}{rng.randint(0, 9_999_999):07d}"
    if carrier == "usps":  # IMpb, USPS Tracking service type 001 behind the 9400 prefix
        return "94001118992" + "".join(str(rng.randint(0, 9)) for _ in range(10))
    if carrier == "dhl":  # DHL Express waybill: 10 digits, the last a mod-7 check digit
        return "".join(str(rng.randint(0, 9)) for _ in range(9))
    return "".join(str(rng.randint(0, 9)) for _ in range(11))  # FedEx Express, 12 digits
