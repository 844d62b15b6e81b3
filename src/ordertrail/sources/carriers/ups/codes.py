"""UPS codes → canonical milestones. Data only; docs/carrier-codes.md cites each meaning.

Lookup order (see parse.py): an activity `code` with a meaning of its own, then UPS's summary
`statusCode`; the coarse `type` only for scans that come without a statusCode. A statusCode
not listed here stays unmapped (044 "on its way to UPS", for one, is neither a label nor
UPS's possession).
"""

from __future__ import annotations

from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason as R
from ordertrail.sources.carriers.base import CodeTable

# Activity codes whose meaning is sharper than their statusCode: "Out For Delivery Today"
# arrives with type I and no out-for-delivery statusCode.
BY_ACTIVITY_CODE = CodeTable.of(
    "ups",
    {
        "OT": (M.OUT_FOR_DELIVERY, None),
    },
)

BY_STATUS_CODE = CodeTable.of(
    "ups",
    {
        "003": (M.LABEL_CREATED, None),  # "Shipper created a label": not in UPS's hands yet
        "005": (M.IN_TRANSIT, None),
        "011": (M.DELIVERED, None),
        "012": (M.IN_TRANSIT, None),  # clearance in progress: the normal customs step
        "013": (M.EXCEPTION, R.OTHER),  # UPS's generic "Exception" bucket
        "017": (M.AVAILABLE_FOR_PICKUP, None),  # held for customer pickup
        "022": (M.DELIVERY_ATTEMPTED, R.RECIPIENT_UNAVAILABLE),  # "We missed you"
        "025": (M.IN_TRANSIT, None),  # transferred to the local post office
        "027": (M.IN_TRANSIT, None),  # delivery address change requested
        "028": (M.IN_TRANSIT, None),  # delivery address changed
        "029": (M.EXCEPTION, R.ADDRESS_ISSUE),  # address information required
        "032": (M.DELAYED, R.WEATHER),
        "040": (M.AVAILABLE_FOR_PICKUP, None),  # at a UPS Access Point, awaiting pickup
        "048": (M.DELAYED, R.OTHER),
        "058": (M.EXCEPTION, R.CUSTOMS_HOLD),  # clearance information required
        "071": (M.IN_TRANSIT, None),  # preparing for delivery today
    },
)

# status.type, only for scans without a statusCode. D is left out on purpose: UPS uses it for
# "loaded on vehicle" and "out for delivery" too, so it does not mean delivered.
BY_TYPE = CodeTable.of(
    "ups",
    {
        "M": (M.LABEL_CREATED, None),
        "P": (M.CARRIER_ACCEPTED, None),
        "I": (M.IN_TRANSIT, None),
        "X": (M.EXCEPTION, R.OTHER),
    },
)
