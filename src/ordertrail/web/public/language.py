"""Which language a customer page speaks: the order's locale when the page is about an order,
else the browser's `Accept-Language`, else the brand's language, else English
(languages/choice.py). The choice is spoken for the rest of the request, so words computed
while the page is built (the delivery window, the van's hours) come out in it too.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from fastapi.responses import Response

from ordertrail.languages.choice import choose
from ordertrail.languages.speech import language, speak
from ordertrail.web.branding import Look


def speak_for(request: Request, locale: str | None = None, brand: Look | None = None) -> str:
    """Choose the page's language and speak it from now on in this request."""
    look = brand or request.app.state.brands.pick(request.url.hostname)
    chosen = choose(locale, request.headers.get("accept-language"), look.language)
    speak(chosen)
    return chosen


async def browser_language(request: Request) -> None:
    """A router dependency: before anything is looked up, the browser's (or host brand's)
    language; a page about an order speaks the order's own once it is found. Async, so the
    choice is made in the request's own context, which the endpoint then runs in."""
    speak_for(request)


Answer = TypeVar("Answer", bound=Response)


def varies(response: Answer) -> Answer:
    """The page's words depend on the browser's languages: a cache must key on them; and the
    page says which language it is in."""
    given = response.headers.get("Vary")
    response.headers["Vary"] = f"{given}, Accept-Language" if given else "Accept-Language"
    response.headers["Content-Language"] = language()
    return response
