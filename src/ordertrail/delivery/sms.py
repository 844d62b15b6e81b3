"""SMS through a provider's HTTP API, as Twilio takes it: a form POST of To, From and Body to
`.../Accounts/<sid>/Messages.json` with basic auth. Any compatible provider (or a stand-in on
loopback) works with its own base URL."""

from __future__ import annotations

from ordertrail.app.messages.delivery import DeliveryFailed, Outgoing
from ordertrail.delivery.texts import Texts


class TwilioSender:
    def __init__(
        self,
        base_url: str,
        account: str,
        token: str,
        sender: str,
        texts: Texts,
        timeout: float = 10.0,
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account}/Messages.json"
        self._auth = (account, token)
        self._sender, self._texts, self._timeout = sender, texts, timeout

    def send(self, outgoing: Outgoing) -> None:
        import httpx  # ~6 MB with what it brings: not in processes that never send a text

        form = {
            "To": outgoing.message.recipient,
            "From": self._sender,
            "Body": self._texts.short(outgoing)[:640],
        }
        # the message id travels as an idempotency key for providers that honour one
        headers = {"I-Twilio-Idempotency-Token": outgoing.message.id}
        try:
            answer = httpx.post(
                self._url, data=form, auth=self._auth, headers=headers, timeout=self._timeout
            )
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"SMS provider unreachable: {error}") from None
        if answer.status_code >= 300:
            permanent = 400 <= answer.status_code < 500 and answer.status_code != 429
            raise DeliveryFailed(
                f"SMS provider answered {answer.status_code}: {answer.text[:200]}",
                permanent=permanent,
            )
