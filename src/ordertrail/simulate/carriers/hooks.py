"""The simulator's deliveries to `/hooks/{source}`, signed as each platform signs them, and
posted through the real web app (routes, signature checks, parsing, use cases)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from datetime import UTC, datetime

from pydantic import SecretStr
from standardwebhooks import Webhook

from ordertrail.simulate.b2b.accounts import FREIGHT

#: The webhook sources the simulated shop uses (the freight carrier's is a Standard Webhooks
#: hook of canonical events).
SOURCES = ("shopify", "easypost", "aftership", FREIGHT)


def fresh_secrets() -> dict[str, SecretStr]:
    """New hook secrets for a simulated shop's settings (`Settings(hook_secrets=...)`)."""
    return {source: SecretStr(secrets.token_hex(24)) for source in SOURCES}


def signed_headers(source: str, body: bytes, secret: str) -> dict[str, str]:
    """The headers the platform sends with `body`, its signature among them."""
    if source == "shopify":
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        return {"X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode()}
    if source == "easypost":  # EasyPost signs under the NFKD form of the secret, in hex
        key = unicodedata.normalize("NFKD", secret).encode()
        digest_hex = hmac.new(key, body, hashlib.sha256).hexdigest()
        return {"X-Hmac-Signature": f"hmac-sha256-hex={digest_hex}"}
    if source == "aftership":
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        return {"aftership-hmac-sha256": base64.b64encode(digest).decode()}
    raise ValueError(f"the simulator does not sign for '{source}'")


def standard_headers(message_id: str, body: bytes, secret: str) -> dict[str, str]:
    """Standard Webhooks headers, signed at the wall clock's time (the receiver refuses a
    delivery more than five minutes from its own clock, which the simulation does not move)."""
    sent = datetime.now(UTC)
    signature = Webhook(secret).sign(message_id, sent, body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent.timestamp())),
        "webhook-signature": signature,
    }
