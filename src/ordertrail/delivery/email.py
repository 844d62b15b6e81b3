"""Email over SMTP: plain text and HTML, the message id as the Message-ID receivers dedupe on."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate

from ordertrail.app.messages.delivery import DeliveryFailed, Outgoing
from ordertrail.delivery.texts import Texts
from ordertrail.delivery.unsubscribe import ONE_CLICK, unsubscribe_link


class SmtpSender:
    """Customer messages go to the address in the outbox; staff alerts (`team` channel) to the
    team's address from settings."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        texts: Texts,
        teams: Mapping[str, str] | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._texts, self._teams, self._timeout = texts, dict(teams or {}), timeout

    def send(self, outgoing: Outgoing) -> None:
        message = outgoing.message
        to = self._teams.get(message.recipient) if message.channel == "team" else message.recipient
        if not to:
            raise DeliveryFailed(f"no email address for team '{message.recipient}'", permanent=True)
        text = self._texts.render(outgoing)
        mail = EmailMessage()
        sender = self._texts.brand_of(outgoing).mail_from or self._sender
        mail["From"], mail["To"], mail["Subject"] = sender, to, text.subject
        mail["Message-ID"] = f"<{message.id}@ordertrail>"
        mail["Date"] = formatdate(localtime=False)
        stop = unsubscribe_link(self._texts.brand_of(outgoing).public_url, outgoing)
        if stop is not None:  # RFC 8058: mail clients show a button that POSTs to it
            mail["List-Unsubscribe"] = f"<{stop}>"
            mail["List-Unsubscribe-Post"] = ONE_CLICK
        mail.set_content(text.plain)
        mail.add_alternative(text.html, subtype="html")
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as refused:
            raise DeliveryFailed(
                f"recipient refused: {refused.recipients}", permanent=True
            ) from None
        except smtplib.SMTPResponseException as error:
            permanent = 500 <= error.smtp_code < 600
            raise DeliveryFailed(
                f"SMTP {error.smtp_code}: {error.smtp_error!r}", permanent=permanent
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(f"SMTP server unreachable: {error}") from None
