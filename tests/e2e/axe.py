"""axe-core (from the npm registry, `make node-packages`) run inside a page the browser tests
opened: the WCAG 2.2 A and AA rules, and the serious or critical violations it finds."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
#: The rules of the levels the console and the customer pages promise: WCAG 2.0-2.2 A and AA.
LEVELS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}


@cache
def _source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make node-packages` (npm ci) first")
    return AXE.read_text(encoding="utf-8")


def violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluated through the browser's debugging protocol, as a tester's console would: the
        # pages' own Content-Security-Policy (no inline script) stays in force for the page
        page.evaluate(_source() + "\n;true")
    found = page.evaluate(
        "async (levels) => (await axe.run(document, {runOnly: {type: 'tag', values: levels}}))"
        ".violations",
        LEVELS,
    )
    return [v for v in found if v.get("impact") in BLOCKING]


def said(found: list[dict[str, Any]]) -> str:
    """The violations as a failing test says them: the rule, why, and where."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '')}")
    return "\n".join(lines)


def assert_accessible(page: Any, where: str) -> None:
    found = violations(page)
    assert not found, f"{where}:\n{said(found)}"
