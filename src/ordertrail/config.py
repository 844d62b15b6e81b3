"""Settings from the environment (ORDERTRAIL_*) or ./ordertrail.toml; defaults run embedded."""

from __future__ import annotations

import json
import os
from datetime import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

_HOOK_PREFIX = "ORDERTRAIL_HOOK_SECRET_"
_POLL_PREFIX = "ORDERTRAIL_POLL_URL_"
_KARRIO_PREFIX = "ORDERTRAIL_KARRIO_"


class BrandSettings(BaseModel):
    """One more brand (ORDERTRAIL_BRANDS): what its pages and its customers' messages wear,
    and which hosts and channels are its. Left out, a field falls back to the default
    brand's."""

    name: str = ""
    support: str | None = None
    colour: str | None = None
    logo_url: str | None = None
    hosts: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    tracking_url: str | None = None
    public_url: str | None = None
    mail_from: str | None = None
    templates: Path | None = None
    #: the brand's language ("fr"), when it differs from the default brand's
    language: str | None = None


class ReturnSettings(BaseModel):
    """The return policy (`[returns]` in ordertrail.toml, or ORDERTRAIL_RETURNS as JSON); see
    domain/returns/policy.py for what each setting decides."""

    window_days: int = Field(default=30, ge=0, le=3650)
    warranty_window_days: int = Field(default=730, ge=0, le=3650)
    #: reasons whose goods are inspected before any refund; the others are refunded on receipt
    inspect_reasons: list[str] = Field(
        default_factory=lambda: [
            "damaged",
            "defective",
            "not_as_described",
            "missing_part",
            "warranty",
        ]
    )
    #: a replacement may leave before the goods come back for orders worth at least this
    #: (minor units of the order's currency), or when the carrier recorded damage
    advance_replacement_over: int | None = Field(default=None, ge=0)
    advance_replacement_on_carrier_damage: bool = True
    #: percent of the returned lines' value kept back, per reason: {"no_longer_needed": 10}
    restocking_fee_percent: dict[str, int] = Field(default_factory=dict)
    returns_team: str = "returns"
    warranty_team: str = "warranty"
    #: what customers are told to do once a return is approved (on its page and in the
    #: "approved" message): where to send it, how to pack it; there is no carrier label yet
    instructions: str = Field(
        default=(
            "Pack the items securely, write your return number on the parcel, and send it to "
            "the address in your order confirmation."
        ),
        max_length=2000,
    )
    #: hours goods may wait for inspection before an alert (the console's overdue mark too)
    inspection_sla_hours: int = Field(default=48, ge=1, le=24 * 365)
    #: hours a refund may be due but not released before an alert
    refund_within_hours: int = Field(default=72, ge=1, le=24 * 365)


class RetentionSettings(BaseModel):
    """How many days personal data that piles up is kept (`[retention]` in ordertrail.toml,
    or ORDERTRAIL_RETENTION__<KIND>_DAYS); 0 keeps it for good. The worker ages it out."""

    #: messages sent (or given up on): their recipient and what they were made from blanked
    sent_messages_days: int = Field(default=90, ge=0, le=36500)
    #: outgoing webhooks' stored context blanked; inbound webhook delivery ids forgotten
    webhook_bodies_days: int = Field(default=30, ge=0, le=36500)
    #: console sessions deleted this long after they expired
    staff_sessions_days: int = Field(default=30, ge=0, le=36500)
    #: links in customer messages stop opening the order this long after they were made
    tracking_tokens_days: int = Field(default=180, ge=0, le=36500)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ORDERTRAIL_",
        toml_file="ordertrail.toml",
        extra="ignore",
        env_nested_delimiter="__",
    )

    database_url: str = "sqlite:///ordertrail.db"
    #: FULL: an acknowledged event survives a power cut. NORMAL is faster and survives a crash
    #: of the process but may lose the last transactions on power loss.
    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL", "EXTRA"] = "FULL"
    #: How long a writer waits for another to finish before its request answers 503 (with
    #: Retry-After; nothing is stored, the same request can be sent again). Readers never wait
    #: for writers.
    write_wait_seconds: float = Field(default=5.0, gt=0, le=60)
    #: Threads a `serve` process runs its database work on; the connection pool keeps as many
    #: connections open (and a few more for its background writers), so no request opens a
    #: new one under load. Every thread shares one GIL: on 2 cores 8 served more than 12 or 24
    #: (`bench http`: tracking page 158 / 146 / 127 req/s) in less memory (191 / 213 / 293 MB);
    #: about four a core. PostgreSQL must allow this many connections (plus a few) for every
    #: `serve` process.
    request_threads: int = Field(default=8, ge=4, le=200)
    #: Largest number of events one API call takes (`ingest --batch` sets its own).
    max_batch: int = 1000
    #: Where rate-limit counters live: `memory://` (per process, the default for one), or
    #: `database` (the app's database, shared by every process: what `serve --workers N`
    #: uses unless this names a store), or any `limits` storage URI (redis://host:6379).
    rate_limit_storage: str = "memory://"
    #: Every rate limit (tracking lookups, parcel views, order links, sign-in) times this:
    #: for load tests and `bench http` from one address; 1 in production.
    rate_limit_multiplier: int = Field(default=1, ge=1, le=1_000_000)
    #: How long a checked API key is believed without reading it again (0: read every time).
    #: A revocation in the same process counts at once; other processes see it within this.
    key_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    #: Proxies whose X-Forwarded-For is believed (comma-separated addresses or networks, or
    #: "*"): behind one, every visitor would otherwise share the proxy's address and its limits.
    forwarded_allow_ips: str = "127.0.0.1"
    #: Code tables for carriers no adapter knows (TOML or CSV; see sources/carriers/custom.py).
    #: After changing the file, `ordertrail rebuild` reads history through the new tables.
    carrier_mappings: Path | None = None
    #: One secret per inbound webhook source, from ORDERTRAIL_HOOK_SECRET_<SOURCE> (e.g.
    #: ORDERTRAIL_HOOK_SECRET_EASYPOST). A source without one has no hook: it answers 404.
    hook_secrets: dict[str, SecretStr] = Field(default_factory=dict)

    #: Tracking endpoints to ask for carriers without webhooks, one URL template per carrier
    #: (`{tracking}` in it) from ORDERTRAIL_POLL_URL_<CARRIER>; the answer is read with that
    #: carrier's adapter, so the carrier must be one `ingest --format` knows.
    poll_urls: dict[str, str] = Field(default_factory=dict)
    poll_timeout_seconds: float = 10.0
    #: Carriers asked through karrio's connectors, with their credentials as JSON from
    #: ORDERTRAIL_KARRIO_<CARRIER> (e.g. {"client_id": ..., "client_secret": ...}); a
    #: "server_url" in it points the connector at a sandbox or a stand-in.
    karrio_carriers: dict[str, dict[str, Any]] = Field(default_factory=dict)

    #: Notifications. Email goes out when an SMTP host is set; staff alerts go to each team's
    #: address (operations, support, warehouse, returns, accounts).
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "OrderTrail <orders@example.com>"
    team_emails: dict[str, str] = Field(default_factory=dict)
    #: SMS through a Twilio-compatible API (base URL, account, token, sending number).
    sms_url: str | None = None
    sms_account: str = ""
    sms_token: SecretStr = SecretStr("")
    sms_from: str = ""
    #: Shop systems that subscribe to milestones and exceptions (Standard Webhooks), as JSON:
    #: [{"url": "https://helpdesk.example/hooks/ordertrail", "secret": "whsec_..."}].
    webhook_subscribers: list[dict[str, str]] = Field(default_factory=list)
    #: Who hears what, and when (see domain/notifications.py): quiet hours in the customer's
    #: zone (the brand's zone when theirs is unknown), the message kinds per priority class,
    #: which kinds also go by SMS, and how long customers wait after staff are told.
    quiet_from: time = time(21, 0)
    quiet_until: time = time(8, 0)
    brand_time_zone: str = "UTC"
    messages: dict[str, list[str]] = Field(default_factory=dict)
    sms_messages: list[str] | None = None
    staff_lead_minutes: float = 10.0
    #: How long a worker holds a message it is sending before another worker may take it (a
    #: worker killed mid-send leaves its messages to be sent again after this): longer than any
    #: send takes.
    outbox_lease_seconds: float = Field(300.0, gt=0)
    #: Delivery estimates: the share of a lane's history the customer's window holds (0.9: nine
    #: parcels in ten of that lane arrived inside it).
    eta_share: float = Field(default=0.9, gt=0.5, lt=1.0)
    #: How `serve` and `worker` log: plain text, or one JSON object a line (with the request
    #: id, route, status and duration of each request) for a log shipper.
    log_format: Literal["plain", "json"] = "plain"
    #: What customers see in messages.
    brand_name: str = "OrderTrail"
    brand_support: str = "support@example.com"
    tracking_url: str = "http://127.0.0.1:8000/track"
    #: The brand's colour on the customer pages (white text must be readable on it, else the
    #: default is used) and its logo (an https:// or /static/ URL).
    brand_colour: str | None = None
    brand_logo_url: str | None = None
    #: A folder of message templates replacing any of delivery/templates/default.
    brand_templates: Path | None = None
    #: The language customers hear when their order and browser say nothing we speak ("fr"):
    #: English, French, Spanish and German are complete (README: adding a language).
    brand_language: str = "en"
    #: More brands than the default one, as JSON: {"hatco": {"name": "Hat Co.", "support":
    #: "help@hatco.example", "colour": "#0b6b2f", "logo_url": "https://…", "hosts":
    #: ["track.hatco.example"], "channels": ["shopify-hatco"]}}. An order's page wears its
    #: channel's brand; a page reached before any order is known, its host's.
    brands: dict[str, BrandSettings] = Field(default_factory=dict)
    #: Where the web app is reached from outside: message links open `<public_url>/t/<token>`.
    public_url: str = "http://127.0.0.1:8000"
    #: The key message links are derived with. Left out, the install makes one and keeps it in
    #: the database; set it (any long random string) to keep it out of the database, so that
    #: nothing a database reader sees opens an order. Links already sent keep working after a
    #: change (what is looked up is their stored hash).
    link_secret: SecretStr | None = None
    #: The return policy: windows, inspection, advance replacements, restocking fees.
    returns: ReturnSettings = Field(default_factory=ReturnSettings)
    #: How long personal data that piles up is kept (see RetentionSettings).
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    #: Where delivery photos and signatures from the driver page are kept (a folder, created
    #: when the first one arrives; never served as it is: pages link to each file through a
    #: signed link that expires).
    proof_folder: Path = Path("ordertrail-proofs")
    #: Or an S3-compatible bucket for them (AWS S3, MinIO, Ceph, R2): its name, a key prefix,
    #: the endpoint for a store that is not AWS, and credentials (unset: boto3's own chain).
    proof_bucket: str | None = None
    proof_bucket_prefix: str = ""
    proof_bucket_endpoint: str | None = None
    proof_bucket_region: str | None = None
    proof_bucket_access_key: str | None = None
    proof_bucket_secret_key: SecretStr | None = None

    @model_validator(mode="after")
    def _per_source_settings_from_environment(self) -> Settings:
        for name, value in os.environ.items():
            upper = name.upper()
            if upper.startswith(_HOOK_PREFIX) and value:
                source = upper[len(_HOOK_PREFIX) :].lower().replace("_", "-")
                self.hook_secrets.setdefault(source, SecretStr(value))
            elif upper.startswith(_POLL_PREFIX) and value:
                carrier = upper[len(_POLL_PREFIX) :].lower().replace("_", "-")
                self.poll_urls.setdefault(carrier, value)
            elif upper.startswith(_KARRIO_PREFIX) and value:
                carrier = upper[len(_KARRIO_PREFIX) :].lower().replace("_", "-")
                try:
                    credentials = json.loads(value)
                except ValueError:
                    raise ValueError(
                        f"{name} must hold the carrier's credentials as JSON"
                    ) from None
                self.karrio_carriers.setdefault(carrier, credentials)
        return self

    def hook_secret(self, source: str) -> str | None:
        secret = self.hook_secrets.get(source.lower())
        return secret.get_secret_value() if secret else None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))
