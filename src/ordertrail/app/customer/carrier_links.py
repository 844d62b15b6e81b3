"""The carrier's own tracking page for a parcel: each carrier's public tracking address, with
the tracking number put in it (quoted, so no number can change where the link goes)."""

from __future__ import annotations

from urllib.parse import quote

#: Each carrier's public tracking page; `{number}` is the tracking number.
TRACKING_PAGES = {
    "ups": "https://www.ups.com/track?tracknum={number}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    "dhl": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    "dhl_express": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    "dhl_unified": "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
    "canadapost": "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}",
    "purolator": "https://www.purolator.com/en/shipping/tracker?pin={number}",
    "ontrac": "https://www.ontrac.com/tracking/?number={number}",
    "lasership": "https://www.lasership.com/track/{number}",
    "royalmail": "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
    "dpd": "https://tracking.dpd.de/status/en_US/parcel/{number}",
    "gls": "https://gls-group.com/track/{number}",
}
#: other spellings of the same carriers
_SAME = {
    "dhl-express": "dhl_express",
    "dhl-unified": "dhl_unified",
    "canada_post": "canadapost",
    "royal_mail": "royalmail",
}


def carrier_link(carrier: str | None, tracking_number: str | None) -> str | None:
    """The carrier's page for this parcel; None for a carrier we have no page for (an
    aggregator such as EasyPost is not the carrier) or a parcel without a number."""
    if not carrier or not tracking_number or not tracking_number.strip():
        return None
    code = carrier.strip().lower()
    pattern = TRACKING_PAGES.get(_SAME.get(code, code))
    if pattern is None:
        return None
    return pattern.format(number=quote(tracking_number.strip(), safe=""))
