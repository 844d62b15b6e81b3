"""The tracking page's glance (app/customer/glance.py) as the page says it: the steps' names, the
words each step's state reads aloud (the stepper never tells by colour alone), and the
glance of each parcel on a page."""

from __future__ import annotations

from jinja2 import Environment

from ordertrail.domain.journey import JourneyStep, Stage, StepState, return_journey
from ordertrail.languages.speech import N_, _

STAGE = {
    Stage.ORDERED: N_("Ordered"),
    Stage.PACKED: N_("Packed"),
    Stage.SHIPPED: N_("Shipped"),
    Stage.OUT_FOR_DELIVERY: N_("Out for delivery"),
    Stage.DELIVERED: N_("Delivered"),
    Stage.RETURN_REQUESTED: N_("Requested"),
    Stage.RETURN_APPROVED: N_("Approved"),
    Stage.RETURN_ON_ITS_WAY: N_("On its way back"),
    Stage.RETURN_RECEIVED: N_("Received"),
    Stage.RETURN_SETTLED: N_("Refunded or replaced"),
}
#: what a screen reader (and anyone who cannot tell the colours apart) hears of each step
STATE = {
    StepState.DONE: N_("done"),
    StepState.CURRENT: N_("now"),
    StepState.TROUBLE: N_("needs attention"),
    StepState.TODO: N_("to come"),
}


def stage_words(step: JourneyStep) -> str:
    return _(STAGE[step.stage])


def step_state_words(step: JourneyStep) -> str:
    return _(STATE[step.state])


def install(env: Environment) -> None:
    """The page's words for the glance's partials."""
    env.globals.update(
        stage_words=stage_words, step_state_words=step_state_words, return_journey=return_journey
    )
