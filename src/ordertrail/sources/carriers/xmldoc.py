"""Reading carrier XML safely and without caring for namespaces."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from ordertrail.sources.carriers.base import CarrierParseError


def read(payload: bytes, root: str, what: str) -> Element:
    """The document's root element, which must be `root`; defusedxml refuses entity tricks."""
    try:
        found = ElementTree.fromstring(payload)
    except (ElementTree.ParseError, DefusedXmlException, ValueError, LookupError) as error:
        raise CarrierParseError("(payload)", f"is not readable XML: {error}") from None
    if local(found.tag) != root:
        raise CarrierParseError("(payload)", f"is not {what}")
    return found  # type: ignore[no-any-return]  # defusedxml is untyped


def local(tag: object) -> str:
    """A tag without its namespace."""
    return str(tag).rpartition("}")[2]


def children(parent: Element | None, name: str) -> list[Element]:
    return [c for c in parent if local(c.tag) == name] if parent is not None else []


def child(parent: Element | None, name: str) -> Element | None:
    found = children(parent, name)
    return found[0] if found else None


def child_text(parent: Element | None, name: str) -> str | None:
    found = child(parent, name)
    value = (found.text or "").strip() if found is not None else ""
    return value or None
