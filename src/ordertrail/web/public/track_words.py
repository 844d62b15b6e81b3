"""The tracking page's words: each milestone and trouble in the customer's language, with the
next step they can take."""

from __future__ import annotations

from datetime import tzinfo

from ordertrail.app.customer.tracking import PublicLine
from ordertrail.domain.b2b.dock import Appointment, AppointmentState
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.languages import dates
from ordertrail.languages.speech import N_, _

STATUS = {
    Milestone.ORDER_PLACED: N_("Order placed"),
    Milestone.ORDER_CONFIRMED: N_("Order confirmed"),
    Milestone.ORDER_CANCELLED: N_("Order cancelled"),
    Milestone.PICKED: N_("Being packed"),
    Milestone.PACKED: N_("Packed, not shipped yet"),
    Milestone.LABEL_CREATED: N_("Shipping label created"),
    Milestone.CARRIER_ACCEPTED: N_("Handed to the carrier"),
    Milestone.IN_TRANSIT: N_("On its way"),
    Milestone.DELAYED: N_("Delayed"),
    Milestone.OUT_FOR_DELIVERY: N_("Out for delivery"),
    Milestone.DELIVERY_ATTEMPTED: N_("Delivery attempted"),
    Milestone.AVAILABLE_FOR_PICKUP: N_("Ready for pickup"),
    Milestone.DELIVERED: N_("Delivered"),
    Milestone.EXCEPTION: N_("A problem on the way"),
    Milestone.RETURNED_TO_SENDER: N_("Returning to us"),
    Milestone.RETURN_REQUESTED: N_("Return requested"),
    Milestone.RETURN_APPROVED: N_("Return approved"),
    Milestone.RETURN_REJECTED: N_("Return declined"),
    Milestone.RETURN_PICKUP_SCHEDULED: N_("Return pickup booked"),
    Milestone.RETURN_IN_TRANSIT: N_("Return on its way to us"),
    Milestone.RETURN_RECEIVED: N_("Return received"),
    Milestone.INSPECTION_PENDING: N_("Return being checked"),
    Milestone.DISPOSITION_DECIDED: N_("Return checked"),
    Milestone.REFUND_RELEASED: N_("Refund released"),
    Milestone.REPLACEMENT_RELEASED: N_("Replacement sent"),
    Milestone.DOCK_APPOINTMENT_REQUESTED: N_("Dock appointment requested"),
    Milestone.DOCK_APPOINTMENT_SCHEDULED: N_("Dock appointment booked"),
    Milestone.DOCK_APPOINTMENT_MOVED: N_("Dock appointment moved"),
    Milestone.DOCK_APPOINTMENT_MISSED: N_("Dock appointment missed"),
    Milestone.DOCK_CHECKED_IN: N_("Checked in at the dock"),
    Milestone.UNLOADED: N_("Unloaded at the dock"),
}

#: Where the carrier left a parcel, as domain/customer/delivery_proof.py tells the customer
#: (marked here, where words are translated; a test keeps the two lists the same).
PROOF_LEFT = (
    N_("Left in a parcel locker"),
    N_("Left in or at the mailbox"),
    N_("Left in the mail room"),
    N_("Handed in at the front desk"),
    N_("Handed in at reception"),
    N_("Left at the leasing office"),
    N_("Left at the front door"),
    N_("Left on the porch"),
    N_("Left at the back door"),
    N_("Left at the side door"),
    N_("Left in the garage"),
    N_("Left with a neighbour"),
    N_("Left in a safe place"),
    N_("Picked up at the post office"),
    N_("Left at a pickup point"),
    N_("Left at the loading dock"),
)

#: A dock appointment's state, as the receiving site reads it on the order's page.
DOCK = {
    AppointmentState.REQUESTED: N_("Dock appointment requested"),
    AppointmentState.SCHEDULED: N_("Dock appointment booked"),
    AppointmentState.MISSED: N_("The truck missed its dock appointment; a new one is being booked"),
    AppointmentState.CHECKED_IN: N_("Checked in at the dock"),
    AppointmentState.UNLOADED: N_("Unloaded at the dock"),
}


def dock_words(appointment: Appointment, zone: tzinfo) -> str:
    """The appointment in one line, its window in the reader's zone."""
    window = appointment.window
    if window is None or appointment.state is not AppointmentState.SCHEDULED:
        return _(DOCK[appointment.state])
    start, end = window.start.astimezone(zone), window.end.astimezone(zone)
    said = {"day": dates.short_day(start), "start": dates.clock(start), "end": dates.clock(end)}
    if appointment.dock:
        return _("Dock appointment booked: %(day)s, %(start)s–%(end)s, dock %(dock)s") % {
            **said,
            "dock": appointment.dock,
        }
    return _("Dock appointment booked: %(day)s, %(start)s–%(end)s") % said


REASON = {
    Reason.ADDRESS_ISSUE: N_("because the address could not be found or is incomplete"),
    Reason.RECIPIENT_UNAVAILABLE: N_("because nobody was there to receive it"),
    Reason.BUSINESS_CLOSED: N_("because the business was closed"),
    Reason.ACCESS_RESTRICTED: N_("because the carrier could not get access"),
    Reason.REFUSED: N_("because it was refused"),
    Reason.DAMAGED: N_("because it was damaged"),
    Reason.LOST: N_("because the carrier cannot find it"),
    Reason.CUSTOMS_HOLD: N_("because it is held at customs"),
    Reason.PAYMENT_REQUIRED: N_("because a payment (duty or fee) is due"),
    Reason.WEATHER: N_("because of the weather"),
    Reason.CARRIER_DELAY: N_("because of a delay at the carrier"),
    Reason.OTHER: N_("because of a problem at the carrier"),
}

#: What the customer can do now, for a parcel in this state.
NEXT_STEP = {
    Milestone.DELIVERY_ATTEMPTED: N_(
        "The carrier will usually try again on the next working day. You can also reschedule "
        "or pick it up on the carrier's site with your tracking number."
    ),
    Milestone.AVAILABLE_FOR_PICKUP: N_("Bring an ID and your tracking number to the pickup point."),
    Milestone.EXCEPTION: N_(
        "We are looking into it with the carrier; you do not need to do anything."
    ),
    Milestone.DELAYED: N_("No action needed; the new date is shown when the carrier gives one."),
    Milestone.RETURNED_TO_SENDER: N_("Contact us and we will arrange a new delivery or a refund."),
}
ADDRESS_STEP = N_("Please contact us to confirm your address so the carrier can deliver.")
WAITING = N_("Waiting for news")


def status_words(milestone: Milestone | None) -> str:
    return _(STATUS.get(milestone, WAITING) if milestone else WAITING)


def line_state(line: PublicLine) -> str:
    """Where an ordered line is: its parcel's state, or that it has not left yet."""
    if not line.in_a_parcel:
        return status_words(line.status) if line.status else _("Not shipped yet")
    if line.parcel is None:
        return _("In one of the parcels above")
    return _("%(status)s (parcel %(number)s)") % {
        "status": status_words(line.status),
        "number": line.parcel,
    }


def explanation(milestone: Milestone | None, reason: Reason | None) -> str | None:
    """Why, in a sentence, for a parcel in trouble."""
    if milestone is None or reason is None:
        return None
    because = _(REASON.get(reason, REASON[Reason.OTHER]))
    return _("%(status)s %(because)s.") % {"status": status_words(milestone), "because": because}


def next_step(milestone: Milestone | None, reason: Reason | None) -> str | None:
    if reason is Reason.ADDRESS_ISSUE:
        return _(ADDRESS_STEP)
    step = NEXT_STEP.get(milestone) if milestone else None
    return _(step) if step else None


#: A return's road as the customer sees it; pickup and transit are one stage to them.
RETURN_STAGES = (
    (N_("Requested"), {Milestone.RETURN_REQUESTED}),
    (N_("Approved"), {Milestone.RETURN_APPROVED}),
    (N_("On its way to us"), {Milestone.RETURN_PICKUP_SCHEDULED, Milestone.RETURN_IN_TRANSIT}),
    (N_("Received"), {Milestone.RETURN_RECEIVED}),
    (N_("Checked"), {Milestone.INSPECTION_PENDING, Milestone.DISPOSITION_DECIDED}),
    (N_("Refund or replacement"), {Milestone.REFUND_RELEASED, Milestone.REPLACEMENT_RELEASED}),
)
RETURN_NEXT = {
    Milestone.RETURN_REQUESTED: N_("We will look at your request within two working days."),
    # no carrier return label is made yet: the shop's instructions say how to send it
    Milestone.RETURN_APPROVED: N_(
        "Pack the items and send them back as our return instructions say."
    ),
    Milestone.RETURN_PICKUP_SCHEDULED: N_(
        "Have the parcel ready for the carrier on the pickup day."
    ),
    Milestone.RETURN_RECEIVED: N_("We are checking the items; this usually takes a few days."),
    Milestone.INSPECTION_PENDING: N_("We are checking the items; this usually takes a few days."),
    Milestone.RETURN_REJECTED: N_("Contact us if you would like to know why or to ask again."),
}


def return_progress(milestone: Milestone | None) -> list[tuple[str, str]]:
    """Each stage of the return with `done`, `current` or `todo`."""
    reached = next((n for n, (_words, ms) in enumerate(RETURN_STAGES) if milestone in ms), -1)
    return [
        (_(words), "done" if n < reached else "current" if n == reached else "todo")
        for n, (words, _stage) in enumerate(RETURN_STAGES)
    ]


def return_next(milestone: Milestone | None) -> str | None:
    said = RETURN_NEXT.get(milestone) if milestone else None
    return _(said) if said else None
