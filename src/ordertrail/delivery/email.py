"""Email over SMTP: plain text and HTML, the message id as the Message-ID receivers dedupe on."""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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
        self._kept = threading.local()  # each thread's open session, if any (`session`)

    @contextmanager
    def session(self) -> Iterator[None]:
        """Messages sent meanwhile (from this thread) share one connection, opened at the first
        and closed at the end: a round of the outbox pays for the connection and the server's
        greeting once, not once a message (most of an email's cost to a local server)."""
        self._kept.on = True
        try:
            yield
        finally:
            self._kept.on = False
            self._drop(polite=True)

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
            self._hand_over(mail)
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

    def _hand_over(self, mail: EmailMessage) -> None:
        if not getattr(self._kept, "on", False):
            with self._connect() as smtp:
                smtp.send_message(mail)
            return
        if getattr(self._kept, "smtp", None) is not None:
            try:
                self._send_kept(mail)
                return
            except smtplib.SMTPServerDisconnected:
                pass  # the server hung up between two messages: this one goes on a new one
        self._kept.smtp = self._connect()
        self._send_kept(mail)

    def _send_kept(self, mail: EmailMessage) -> None:
        try:
            self._kept.smtp.send_message(mail)
        except smtplib.SMTPResponseException:
            raise  # an answer (smtplib reset the transaction): the connection still serves
        except BaseException:
            self._drop()  # half a conversation: the next message opens a new connection
            raise

    def _connect(self) -> smtplib.SMTP:
        return smtplib.SMTP(self._host, self._port, timeout=self._timeout)

    def _drop(self, *, polite: bool = False) -> None:
        kept: smtplib.SMTP | None = getattr(self._kept, "smtp", None)
        self._kept.smtp = None
        if kept is None:
            return
        try:
            if polite:
                kept.quit()
        except (OSError, smtplib.SMTPException):
            pass  # it is being closed either way
        finally:
            kept.close()
