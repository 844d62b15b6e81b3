"""The brand's look on customer pages stays readable."""

from __future__ import annotations


def test_a_brand_colour_must_keep_white_text_readable() -> None:
    from ordertrail.web.branding import DEFAULT_COLOUR, contrast, look

    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert look("Shop", "help@shop", "#0b6b2f", None).colour == "#0b6b2f"  # dark green: fine
    assert look("Shop", "help@shop", "#ffd700", None).colour == DEFAULT_COLOUR  # gold: too light
    assert look("Shop", "help@shop", "red; x", None).colour == DEFAULT_COLOUR
    assert look("Shop", "help@shop", None, "javascript:alert(1)").logo_url is None
    assert look("Shop", "help@shop", None, "https://cdn.shop/logo.svg").logo_url
