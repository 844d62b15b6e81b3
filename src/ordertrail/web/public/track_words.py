"""The tracking page's words: each milestone and trouble in the customer's language, with the
next step they can take."""

from __future__ import annotations

from datetime import tzinfo

from ordertrail.app.tracking import PublicLine
from ordertrail.domain.dock import Appointment, AppointmentState
from ordertrail.domain.milestones import Milestone, Reason

STATUS = {
    Milestone.ORDER_PLACED: "Order placed",
    Milestone.ORDER_CONFIRMED: "Order confirmed",
    Milestone.ORDER_CANCELLED: "Order cancelled",
    Milestone.PICKED: "Being packed",
    Milestone.PACKED: "Packed, not shipped yet",
    Milestone.LABEL_CREATED: "Shipping label created",
    Milestone.CARRIER_ACCEPTED: "Handed to the carrier",
    Milestone.IN_TRANSIT: "On its way",
    Milestone.DELAYED: "Delayed",
    Milestone.OUT_FOR_DELIVERY: "Out for delivery",
    Milestone.DELIVERY_ATTEMPTED: "Delivery attempted",
    Milestone.AVAILABLE_FOR_PICKUP: "Ready for pickup",
    Milestone.DELIVERED: "Delivered",
    Milestone.EXCEPTION: "A problem on the way",
    Milestone.RETURNED_TO_SENDER: "Returning to us",
    Milestone.RETURN_REQUESTED: "Return requested",
    Milestone.RETURN_APPROVED: "Return approved",
    Milestone.RETURN_REJECTED: "Return declined",
    Milestone.RETURN_PICKUP_SCHEDULED: "Return pickup booked",
    Milestone.RETURN_IN_TRANSIT: "Return on its way to us",
    Milestone.RETURN_RECEIVED: "Return received",
    Milestone.INSPECTION_PENDING: "Return being checked",
    Milestone.DISPOSITION_DECIDED: "Return checked",
    Milestone.REFUND_RELEASED: "Refund released",
    Milestone.REPLACEMENT_RELEASED: "Replacement sent",
    Milestone.DOCK_APPOINTMENT_REQUESTED: "Dock appointment requested",
    Milestone.DOCK_APPOINTMENT_SCHEDULED: "Dock appointment booked",
    Milestone.DOCK_APPOINTMENT_MOVED: "Dock appointment moved",
    Milestone.DOCK_APPOINTMENT_MISSED: "Dock appointment missed",
    Milestone.DOCK_CHECKED_IN: "Checked in at the dock",
    Milestone.UNLOADED: "Unloaded at the dock",
}

#: A dock appointment's state, as the receiving site reads it on the order's page.
DOCK = {
    AppointmentState.REQUESTED: "Dock appointment requested",
    AppointmentState.SCHEDULED: "Dock appointment booked",
    AppointmentState.MISSED: "The truck missed its dock appointment; a new one is being booked",
    AppointmentState.CHECKED_IN: "Checked in at the dock",
    AppointmentState.UNLOADED: "Unloaded at the dock",
}


def dock_words(appointment: Appointment, zone: tzinfo) -> str:
    """The appointment in one line, its window in the reader's zone."""
    said = DOCK[appointment.state]
    window = appointment.window
    if window is not None and appointment.state is AppointmentState.SCHEDULED:
        start, end = window.start.astimezone(zone), window.end.astimezone(zone)
        said += f": {start:%a %d %b}, {start:%H:%M}–{end:%H:%M}"
        if appointment.dock:
            said += f", dock {appointment.dock}"
    return said


REASON = {
    Reason.ADDRESS_ISSUE: "the address could not be found or is incomplete",
    Reason.RECIPIENT_UNAVAILABLE: "nobody was there to receive it",
    Reason.BUSINESS_CLOSED: "the business was closed",
    Reason.ACCESS_RESTRICTED: "the carrier could not get access",
    Reason.REFUSED: "it was refused",
    Reason.DAMAGED: "it was damaged",
    Reason.LOST: "the carrier cannot find it",
    Reason.CUSTOMS_HOLD: "it is held at customs",
    Reason.PAYMENT_REQUIRED: "a payment (duty or fee) is due",
    Reason.WEATHER: "of the weather",
    Reason.CARRIER_DELAY: "of a delay at the carrier",
    Reason.OTHER: "of a problem at the carrier",
}

#: What the customer can do now, for a parcel in this state.
NEXT_STEP = {
    Milestone.DELIVERY_ATTEMPTED: (
        "The carrier will usually try again on the next working day. You can also reschedule "
        "or pick it up on the carrier's site with your tracking number."
    ),
    Milestone.AVAILABLE_FOR_PICKUP: "Bring an ID and your tracking number to the pickup point.",
    Milestone.EXCEPTION: "We are looking into it with the carrier; you do not need to do anything.",
    Milestone.DELAYED: "No action needed; the new date is shown when the carrier gives one.",
    Milestone.RETURNED_TO_SENDER: "Contact us and we will arrange a new delivery or a refund.",
}
ADDRESS_STEP = "Please contact us to confirm your address so the carrier can deliver."


def status_words(milestone: Milestone | None) -> str:
    return STATUS.get(milestone, "Waiting for news") if milestone else "Waiting for news"


def line_state(line: PublicLine) -> str:
    """Where an ordered line is: its parcel's state, or that it has not left yet."""
    if not line.in_a_parcel:
        return status_words(line.status) if line.status else "Not shipped yet"
    if line.parcel is None:
        return "In one of the parcels above"
    return f"{status_words(line.status)} (parcel {line.parcel})"


def explanation(milestone: Milestone | None, reason: Reason | None) -> str | None:
    """Why, in a sentence, for a parcel in trouble."""
    if milestone is None or reason is None:
        return None
    return f"{status_words(milestone)} because {REASON.get(reason, REASON[Reason.OTHER])}."


def next_step(milestone: Milestone | None, reason: Reason | None) -> str | None:
    if reason is Reason.ADDRESS_ISSUE:
        return ADDRESS_STEP
    return NEXT_STEP.get(milestone) if milestone else None


#: A return's road as the customer sees it; pickup and transit are one stage to them.
RETURN_STAGES = (
    ("Requested", {Milestone.RETURN_REQUESTED}),
    ("Approved", {Milestone.RETURN_APPROVED}),
    ("On its way to us", {Milestone.RETURN_PICKUP_SCHEDULED, Milestone.RETURN_IN_TRANSIT}),
    ("Received", {Milestone.RETURN_RECEIVED}),
    ("Checked", {Milestone.INSPECTION_PENDING, Milestone.DISPOSITION_DECIDED}),
    ("Refund or replacement", {Milestone.REFUND_RELEASED, Milestone.REPLACEMENT_RELEASED}),
)
RETURN_NEXT = {
    Milestone.RETURN_REQUESTED: "We will look at your request within two working days.",
    # no carrier return label is made yet: the shop's instructions say how to send it
    Milestone.RETURN_APPROVED: "Pack the items and send them back as our return instructions say.",
    Milestone.RETURN_PICKUP_SCHEDULED: "Have the parcel ready for the carrier on the pickup day.",
    Milestone.RETURN_RECEIVED: "We are checking the items; this usually takes a few days.",
    Milestone.INSPECTION_PENDING: "We are checking the items; this usually takes a few days.",
    Milestone.RETURN_REJECTED: "Contact us if you would like to know why or to ask again.",
}


def return_progress(milestone: Milestone | None) -> list[tuple[str, str]]:
    """Each stage of the return with `done`, `current` or `todo`."""
    reached = next((n for n, (_, ms) in enumerate(RETURN_STAGES) if milestone in ms), -1)
    return [
        (words, "done" if n < reached else "current" if n == reached else "todo")
        for n, (words, _) in enumerate(RETURN_STAGES)
    ]


def return_next(milestone: Milestone | None) -> str | None:
    return RETURN_NEXT.get(milestone) if milestone else None
