"""Canada Post event identifiers → canonical milestones. Data only; docs/carrier-codes.md cites
each meaning (Canada Post's message code table). Identifiers arrive zero-padded (0174) and
are looked up without the zeros."""

from __future__ import annotations

from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason as R
from ordertrail.sources.carriers.base import CodeTable


def _each(codes: str, meaning: tuple[M, R | None]) -> dict[str, tuple[M, R | None]]:
    return dict.fromkeys(codes.split(), meaning)


BY_EVENT = CodeTable.of(
    "canadapost",
    {
        "3000": (M.LABEL_CREATED, None),  # electronic information submitted by shipper
        **_each("1300 1301 1302 2300", (M.CARRIER_ACCEPTED, None)),  # accepted / picked up
        **_each(
            "100 102 104 105 106 107 113 114 115 116 130 170 175 400 405 410 1240 1244 "
            "2500 2501 4550 4600",
            (M.IN_TRANSIT, None),
        ),
        "127": (M.EXCEPTION, R.CUSTOMS_HOLD),  # held at customs
        "120": (M.EXCEPTION, R.ADDRESS_ISSUE),  # on hold: incorrect or incomplete address
        "171": (M.DELAYED, R.ADDRESS_ISSUE),  # verifying recipient's address
        "173": (M.DELAYED, R.ADDRESS_ISSUE),  # addressing error, attempting to correct
        "172": (M.DELAYED, R.CARRIER_DELAY),  # re-routed after a processing error
        "159": (M.DELAYED, R.WEATHER),
        "162": (M.DELAYED, R.CARRIER_DELAY),  # transportation delay
        **_each("160 161 163", (M.DELAYED, R.OTHER)),  # authority, labour, power outage
        **_each("500 174", (M.OUT_FOR_DELIVERY, None)),
        **_each("1411 2411", (M.DELIVERY_ATTEMPTED, R.BUSINESS_CLOSED)),
        "1443": (M.DELIVERY_ATTEMPTED, R.OTHER),
        **_each("1407 2407 1701", (M.AVAILABLE_FOR_PICKUP, None)),
        **_each(
            "1405 1406 1408 1409 1421 1422 1423 1424 1425 1426 1427 1428 1429 1430 1431 1432 "
            "1433 1434 1441 1442 1496 1498",
            (M.DELIVERED, None),
        ),
        **_each("1415 1416 1417 1419 1420 1481 1482 2600 2802", (M.RETURNED_TO_SENDER, None)),
        **_each("179 1483 1493 4650", (M.EXCEPTION, R.OTHER)),  # cannot be delivered
    },
)
