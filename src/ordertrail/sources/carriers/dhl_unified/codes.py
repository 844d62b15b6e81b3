"""DHL Unified `statusCode` → canonical milestones. Data only; docs/carrier-codes.md cites it.

The Unified API's status codes are coarse; the division's own words are kept as the raw
description. `unknown` says nothing and stays unmapped.
"""

from __future__ import annotations

from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason as R
from ordertrail.sources.carriers.base import CodeTable

BY_STATUS_CODE = CodeTable.of(
    "dhl",
    {
        "pre-transit": (M.LABEL_CREATED, None),
        "transit": (M.IN_TRANSIT, None),
        "delivered": (M.DELIVERED, None),
        "failure": (M.EXCEPTION, R.OTHER),
    },
)
