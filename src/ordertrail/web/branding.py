"""A brand's look on the customer pages: name, logo and colour, from settings. A colour that
would not give white text WCAG AA contrast (4.5:1) is replaced by the default, so a shop cannot
make its own tracking page unreadable by accident."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ordertrail.config import BrandSettings, Settings

DEFAULT_COLOUR = "#1b3f8b"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
AA_NORMAL_TEXT = 4.5


@dataclass(frozen=True, slots=True)
class Look:
    name: str
    support: str
    colour: str
    logo_url: str | None
    #: the brand's language: its pages speak it when neither the order nor the browser says
    language: str | None = None


def look(
    name: str,
    support: str,
    colour: str | None,
    logo_url: str | None,
    language: str | None = None,
) -> Look:
    chosen = colour if colour and readable_on(colour) else DEFAULT_COLOUR
    logo = logo_url if logo_url and logo_url.startswith(("https://", "/static/")) else None
    return Look(name, support, chosen, logo, language)


def readable_on(colour: str, text: str = "#ffffff") -> bool:
    """Does `text` on `colour` reach AA contrast for normal text?"""
    if not _HEX.match(colour) or not _HEX.match(text):
        return False
    return contrast(colour, text) >= AA_NORMAL_TEXT


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    """Relative luminance per WCAG 2.x."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@dataclass(frozen=True, slots=True)
class Brands:
    """Every brand's look, and which hosts and channels wear which."""

    default: Look
    by_host: dict[str, Look]
    by_channel: dict[str, Look]

    def pick(self, host: str | None, channel: str | None = None) -> Look:
        """The order's channel decides when it is known (the data says whose order it is),
        else the host the customer came to, else the default brand."""
        if channel and channel in self.by_channel:
            return self.by_channel[channel]
        return self.by_host.get((host or "").lower(), self.default)


def brands_of(settings: Settings) -> Brands:
    """The brands settings describe, built once when the app starts (a brand without a name
    stops start-up, naming the brand)."""
    default = look(
        settings.brand_name,
        settings.brand_support,
        settings.brand_colour,
        settings.brand_logo_url,
        settings.brand_language,
    )
    return brands(default, settings.brands)


def brands(default: Look, described: dict[str, BrandSettings]) -> Brands:
    by_host: dict[str, Look] = {}
    by_channel: dict[str, Look] = {}
    for brand_id, given in described.items():
        if not given.name.strip():
            raise ValueError(f"brand '{brand_id}' needs a name")
        chosen = look(
            given.name,
            given.support or default.support,
            given.colour,
            given.logo_url,
            given.language or default.language,
        )
        by_host.update(dict.fromkeys((host.lower() for host in given.hosts), chosen))
        by_channel.update(dict.fromkeys(given.channels, chosen))
    return Brands(default, by_host, by_channel)
