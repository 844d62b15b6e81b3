"""`/track/delivery-change`: the customer's choice for a parcel in trouble (a pickup point,
holding it at the carrier's facility, another day), posted from the order's page with its
ticket. No JavaScript: a form of radio buttons and a list of the days one may pick.

The rules are domain/customer/delivery_change.py; recording and passing the choice on is
app/customer/delivery_change.py. A refusal says why in a sentence, with the way back to the order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from ordertrail.app.customer.delivery_change import (
    ChoiceMade,
    NotTheirParcel,
    ParcelChoices,
    request_change,
)
from ordertrail.domain.customer.delivery_change import ChangeRefused, Choice
from ordertrail.languages import dates
from ordertrail.languages.speech import N_, _
from ordertrail.web.guard import NO_NUL, PRIVATE
from ordertrail.web.pages import templates
from ordertrail.web.public.lookup import LOOKUPS

CHOICES = {
    Choice.PICKUP_POINT: N_("Send it to a pickup point near me"),
    Choice.HOLD_AT_FACILITY: N_("Hold it at the carrier's depot; I will collect it"),
    Choice.ANOTHER_DAY: N_("Deliver it on another day"),
}
#: what was asked, in a whole sentence each (`%(day)s` only for another day)
ASKED = {
    Choice.PICKUP_POINT: N_("You asked us on %(asked)s to send this parcel to a pickup point."),
    Choice.HOLD_AT_FACILITY: N_(
        "You asked us on %(asked)s to hold this parcel at the carrier's depot."
    ),
    Choice.ANOTHER_DAY: N_("You asked us on %(asked)s to deliver this parcel on %(day)s."),
}
STATE = {
    "waiting": N_("We are passing your choice to the carrier."),
    "with_staff": N_(
        "Our team is arranging it with the carrier now; this page shows when it is done."
    ),
    "confirmed": N_("The carrier has confirmed it."),
    "settled": N_("Our team has arranged it with the carrier."),
}
REFUSED = {
    "pending": N_(
        "You already made a choice for this parcel and we are still arranging it. "
        "You can make another once the carrier has news."
    ),
    "chosen": N_(
        "You already made a choice for this parcel. You can make another once the carrier has news."
    ),
    "not_offered": N_(
        "This parcel cannot be changed now: a choice is offered after an address problem "
        "or a second missed delivery, while the parcel is still with the carrier."
    ),
    "unknown_choice": N_("Please choose one of the options shown."),
    "day_needed": N_("Please pick the day you would like it delivered."),
    "day_not_offered": N_("Please pick one of the days shown: the next few working days."),
    "not_yours": N_("We could not find that parcel in your order. Please open your order again."),
}
_STATUS = {"not_yours": 404, "unknown_choice": 422, "day_needed": 422, "day_not_offered": 422}


@dataclass(frozen=True, slots=True)
class ChoiceView:
    """One parcel's part of the page, its words said in the customer's language."""

    offered: bool
    options: list[tuple[str, str]]  # (value, words)
    days: list[tuple[str, str]]  # (ISO day, words)
    made: str | None  # what was asked and where it stands, in sentences


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = templates()

    @pages.post("/track/delivery-change", response_class=HTMLResponse)
    async def changed(
        request: Request,
        ticket: Annotated[str, Form(max_length=64, pattern=NO_NUL)],
        tracking: Annotated[str, Form(max_length=100, pattern=NO_NUL)],
        choice: Annotated[str, Form(max_length=40, pattern=NO_NUL)] = "",
        day: Annotated[str, Form(max_length=20, pattern=NO_NUL)] = "",
    ) -> Response:
        """The customer's choice: back to the order, where it now shows; or why not."""
        identifier = f"delivery-change:{ticket}"
        if refused := LOOKUPS.refusal(request, identifier):
            return refusal(request, views, "busy", ticket, 429, refused.retry_after)
        system = request.app.state.system
        asking = partial(
            request_change,
            system.uows,
            system.clock,
            system.delivery_changes(),
            ticket,
            tracking,
            choice,
            day,
        )
        try:
            await run_in_threadpool(asking)
        except NotTheirParcel:
            LOOKUPS.wrong(request, identifier)
            return refusal(request, views, "not_yours", ticket)
        except ChangeRefused as why:
            return refusal(request, views, why.why, ticket)
        return RedirectResponse(f"/t/{ticket}", status_code=303, headers=PRIVATE)

    return pages


def refusal(
    request: Request,
    views: Jinja2Templates,
    why: str,
    ticket: str,
    status: int | None = None,
    retry_after: int | None = None,
) -> HTMLResponse:
    if why == "busy":
        said = _("Too many tries from here. Please wait a minute and try again.")
    else:
        said = _(REFUSED.get(why, REFUSED["not_offered"]))
    status = status or _STATUS.get(why, 409)
    return refused_page(request, views, said, ticket, status, why, retry_after)


def refused_page(
    request: Request,
    views: Jinja2Templates,
    said: str,
    ticket: str,
    status: int,
    why: str,
    retry_after: int | None = None,
) -> HTMLResponse:
    """The page a refused form on the order's page answers with: why, and the way back."""
    brand = request.app.state.brands.pick(request.url.hostname, None)
    context = {"brand": brand, "message": said, "ticket": ticket, "why": why}
    response = views.TemplateResponse(request, "track_refused.html", context, status_code=status)
    response.headers.update(PRIVATE)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def choice_views(found: Mapping[str, ParcelChoices]) -> dict[str, ChoiceView]:
    """What the order's page offers or shows for each of its parcels in trouble."""
    return {number: _view(parcel) for number, parcel in found.items()}


def _view(parcel: ParcelChoices) -> ChoiceView:
    options = [(choice.value, _(words)) for choice, words in CHOICES.items()]
    days = [(day.isoformat(), _day(day)) for day in parcel.days]
    made = _made(parcel.made) if parcel.made else None
    return ChoiceView(parcel.offered, options, days, made)


def _made(made: ChoiceMade) -> str:
    asked = _(ASKED[made.choice]) % {
        "asked": dates.short_day(made.asked_at),
        "day": _day(made.day) if made.day else "",
    }
    return f"{asked} {_(STATE[made.state])}"


def _day(day: date) -> str:
    return dates.weekday_date(day)
