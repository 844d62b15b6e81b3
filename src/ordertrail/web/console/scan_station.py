"""What the scan station does with each scan: badge, then an order or carton, then a step.

The station's state (who is scanning, what they are working on, a step waiting for its label)
travels in the page's hidden form fields, so the page needs no JavaScript and a reload loses
nothing. This module decides the next state and what to record; the route records it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from ordertrail.app.intake.commands import RecordScan
from ordertrail.domain.model import DomainError
from ordertrail.domain.warehouse import Step
from ordertrail.sources.scans import (
    Badge,
    Carton,
    Product,
    Reference,
    StepCard,
    TrackingLabel,
    read_scan,
    scan_command,
)


class Tone(StrEnum):
    INFO = "info"
    OK = "ok"
    WARN = "warn"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class StationState:
    site: str
    station: str = ""
    operator: str = ""
    #: the barcode of what is being worked on, as scanned (an order, a carton, a parcel)
    target: str = ""
    #: a human name for it ("carton 3760…", "order #1001")
    target_name: str = ""
    order: str = ""
    #: a label or relabel step waiting for the new label's scan
    pending_step: str = ""

    @property
    def prompt(self) -> str:
        if not self.operator:
            return "Scan your badge."
        if self.pending_step:
            return f"Scan the new label for {self.target_name}."
        if not self.target:
            return "Scan an order or a carton."
        return f"Scan a step for {self.target_name}: PICK, PACK, LABEL, HANDOFF or RELABEL."


@dataclass(frozen=True, slots=True)
class Advance:
    state: StationState
    tone: Tone
    message: str
    command: RecordScan | None = None


def advance(state: StationState, text: str) -> Advance:
    """The station's answer to one scan: a new state, and maybe a step to record."""
    try:
        scanned = read_scan(text)
    except DomainError as error:
        return Advance(state, Tone.ERROR, error.message)
    if isinstance(scanned, Badge):
        if scanned.station:
            return Advance(replace(state, station=scanned.station), Tone.INFO, "Station set.")
        fresh = replace(
            state,
            operator=scanned.operator or "",
            target="",
            target_name="",
            order="",
            pending_step="",
        )
        return Advance(fresh, Tone.INFO, f"Hello, {scanned.operator}.")
    if not state.operator:
        return Advance(state, Tone.ERROR, "Scan your badge first.")
    if state.pending_step:
        if isinstance(scanned, TrackingLabel | Carton):
            return _step(state, Step(state.pending_step), label=text)
        if not isinstance(scanned, StepCard):  # a step card changes the plan; anything else
            message = "That is not a carrier label: scan the new label (or another step)."
            return Advance(state, Tone.ERROR, message)
    if isinstance(scanned, StepCard):
        return _step(state, scanned.step)
    if isinstance(scanned, Product):
        return Advance(state, Tone.WARN, f"Product {scanned.gtin}: scan the order or carton.")
    return Advance(_working_on(state, scanned, text), Tone.INFO, "Ready.")


def _working_on(
    state: StationState, scanned: Carton | TrackingLabel | Reference, text: str
) -> StationState:
    if isinstance(scanned, Carton):
        name, order = f"carton {scanned.sscc}", scanned.order or state.order
    elif isinstance(scanned, TrackingLabel):
        name, order = f"parcel {scanned.tracking_number}", ""
    else:
        name, order = scanned.text, scanned.text  # an order number, or a parcel id
    return replace(state, target=text.strip(), target_name=name, order=order, pending_step="")


def _step(state: StationState, step: Step, label: str | None = None) -> Advance:
    if not state.target:
        return Advance(state, Tone.ERROR, "Scan an order or a carton first, then the step.")
    if step in (Step.LABEL, Step.RELABEL) and label is None:
        waiting = replace(state, pending_step=step.value)
        return Advance(waiting, Tone.INFO, f"{step.value.capitalize()}: scan the new label.")
    try:
        command = scan_command(
            site=state.site,
            station=state.station or "station",
            operator=state.operator,
            step=step,
            target=state.target,
            label=label,
            order=state.order or None,
        )
    except DomainError as error:
        return Advance(replace(state, pending_step=""), Tone.ERROR, error.message)
    return Advance(replace(state, pending_step=""), Tone.INFO, "", command)
