"""The composition root: the one place that builds engines and adapters and wires them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from ordertrail.app.customer.page_views import ViewTally
from ordertrail.app.customer.place_ports import Gazetteer
from ordertrail.app.fleet.ports import ProofFiles
from ordertrail.app.intake.handlers import BatchResult, handle
from ordertrail.app.intake.polling import CarrierTracker
from ordertrail.app.messages.delivery import Sender
from ordertrail.app.ports import Clock, UnitOfWorkFactory
from ordertrail.app.privacy.retention import RetentionPolicy
from ordertrail.app.promise.eta_ports import EtaRules
from ordertrail.app.staff.access_ports import PasswordHasher
from ordertrail.app.staff.key_cache import KeyCache
from ordertrail.config import BrandSettings, Settings
from ordertrail.delivery.email import SmtpSender
from ordertrail.delivery.sms import TwilioSender
from ordertrail.delivery.texts import Brand, Texts
from ordertrail.delivery.webhooks import Subscriber, WebhookSender
from ordertrail.domain.notifications import MessageKind, Policy
from ordertrail.domain.returns.policy import ReturnPolicy
from ordertrail.domain.returns.return_lines import ReturnReason
from ordertrail.metering import Meter, NoMeter, PrometheusMeter
from ordertrail.sources.carriers.custom import load as load_mappings
from ordertrail.sources.carriers.karrio_delivery_change import KarrioDeliveryChanges
from ordertrail.sources.carriers.karrio_tracker import KarrioTracker
from ordertrail.sources.carriers.polling import HttpTracker
from ordertrail.sources.gazetteer import CityGazetteer
from ordertrail.sources.public_holidays import PublicHolidays
from ordertrail.store.access.passwords import Argon2Passwords
from ordertrail.store.access.rate_counters import SqlRateCounters
from ordertrail.store.engine import make_engine
from ordertrail.store.migrate import not_ready, upgrade
from ordertrail.store.proofs.proof_bucket import BucketProofFiles
from ordertrail.store.proofs.proof_files import FolderProofFiles
from ordertrail.store.uow import SqlUnitOfWorkFactory


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class System:
    """Everything an entry point needs, built once per process."""

    settings: Settings
    engine: Engine
    uows: UnitOfWorkFactory
    #: API keys checked in the last few seconds (revoke through it: it forgets at once)
    keys: KeyCache
    clock: Clock
    passwords: PasswordHasher = field(default_factory=Argon2Passwords)
    meter: Meter = field(default_factory=NoMeter)
    #: where delivery photos and signatures are kept when it is not the folder (a bucket)
    proof_store: ProofFiles | None = None
    #: the offline list of cities the tracking page reads scans' places through (lazy)
    gazetteer: Gazetteer = field(default_factory=CityGazetteer)
    #: tracking-page views counted in memory, stored each second while the app runs
    #: (`views.start()`/`stop()` in its lifespan) or when flushed
    views: ViewTally = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "views", ViewTally(self.uows))

    def handle(self, command: Any) -> Any:
        result = handle(command, self.uows, self.clock)
        if isinstance(result, BatchResult) and result.outcomes:
            self.meter.events_in(result.outcomes)
        return result

    def proof_files(self) -> ProofFiles:
        """Where delivery photos and signatures are kept: the bucket when one is set, else
        the folder (built when asked for)."""
        return self.proof_store or FolderProofFiles(self.settings.proof_folder)

    def shared_rate_counters(self) -> SqlRateCounters:
        """Rate-limit counters in this database, which every `serve` process shares."""
        return SqlRateCounters(self.engine)

    def migrate(self) -> None:
        upgrade(self.engine)

    def unready(self) -> str | None:
        """Why the database cannot be served yet, as one line that says what to run."""
        why = not_ready(self.engine)
        if why is None:
            return None
        where = self.engine.url.render_as_string()
        return f"the database {where} is not ready ({why}): run `ordertrail init` first"

    def retention(self) -> RetentionPolicy:
        """The retention settings in force (0 days: kept for good)."""
        kept = self.settings.retention
        return RetentionPolicy(
            sent_messages_days=kept.sent_messages_days or None,
            webhook_bodies_days=kept.webhook_bodies_days or None,
            staff_sessions_days=kept.staff_sessions_days or None,
            tracking_tokens_days=kept.tracking_tokens_days or None,
        )

    def trackers(self) -> dict[str, CarrierTracker]:
        """One tracker per carrier to poll (karrio connectors first, then plain tracking
        URLs); built when a worker asks for them."""
        found: dict[str, CarrierTracker] = {
            carrier: HttpTracker(url, carrier, timeout=self.settings.poll_timeout_seconds)
            for carrier, url in self.settings.poll_urls.items()
        }
        for carrier, given in self.settings.karrio_carriers.items():
            credentials = {k: v for k, v in given.items() if k != "server_url"}
            found[carrier] = KarrioTracker(carrier, credentials, server_url=given.get("server_url"))
        return found

    def delivery_changes(self) -> KarrioDeliveryChanges:
        """Where a customer's delivery change goes to the carrier (karrio; it declines, and
        the change becomes a case for operations)."""
        return KarrioDeliveryChanges(self.settings.karrio_carriers)

    def senders(self) -> dict[str, Sender]:
        """One sender per channel that is set up; messages for others are skipped."""
        given = self.settings
        default = Brand(
            given.brand_name,
            given.brand_support,
            given.tracking_url,
            given.public_url,
            templates=given.brand_templates,
            return_instructions=given.returns.instructions.strip(),
            language=given.brand_language,
        )
        texts = Texts(default, by_channel=_brands_by_channel(default, given.brands))
        found: dict[str, Sender] = {}
        if given.smtp_host:
            mail = SmtpSender(
                given.smtp_host, given.smtp_port, given.mail_from, texts, given.team_emails
            )
            found["email"] = found["team"] = mail
        if given.sms_url:
            found["sms"] = TwilioSender(
                given.sms_url,
                given.sms_account,
                given.sms_token.get_secret_value(),
                given.sms_from,
                texts,
            )
        if given.webhook_subscribers:
            found["webhook"] = WebhookSender(
                [Subscriber(s["url"], s["secret"]) for s in given.webhook_subscribers]
            )
        return found

    def close(self) -> None:
        self.engine.dispose()


def _brands_by_channel(default: Brand, brands: dict[str, BrandSettings]) -> dict[str, Brand]:
    """Each channel's brand in messages: its name and support address, and its own tracking
    URLs, sender and templates where it has them (a brand on its own host)."""
    found: dict[str, Brand] = {}
    for given in brands.values():
        brand = Brand(
            given.name or default.name,
            given.support or default.support,
            given.tracking_url or default.tracking_url,
            given.public_url or default.public_url,
            mail_from=given.mail_from,
            templates=given.templates or default.templates,
            return_instructions=default.return_instructions,
            language=given.language or default.language,
        )
        found.update(dict.fromkeys(given.channels, brand))
    return found


def policy_of(settings: Settings) -> Policy:
    """The notification policy the settings describe; unknown message kinds stop start-up."""
    base = Policy()
    by_priority = dict(base.by_priority)
    for priority, kinds in settings.messages.items():
        by_priority[priority] = frozenset(MessageKind(kind) for kind in kinds)
    sms = base.sms
    if settings.sms_messages is not None:
        sms = frozenset(MessageKind(kind) for kind in settings.sms_messages)
    return Policy(
        by_priority=by_priority,
        quiet_from=settings.quiet_from,
        quiet_until=settings.quiet_until,
        time_zone=settings.brand_time_zone,
        staff_lead=timedelta(minutes=settings.staff_lead_minutes),
        sms=sms,
    )


def return_policy_of(settings: Settings) -> ReturnPolicy:
    """The return policy the settings describe; an unknown reason stops start-up."""
    given = settings.returns
    try:
        inspect = frozenset(ReturnReason(reason) for reason in given.inspect_reasons)
        fees = {ReturnReason(k): v for k, v in given.restocking_fee_percent.items()}
    except ValueError as bad:
        choices = ", ".join(ReturnReason)
        raise ValueError(f"returns: {bad}; reasons are {choices}") from None
    return ReturnPolicy(
        window_days=given.window_days,
        warranty_window_days=given.warranty_window_days,
        inspect_reasons=inspect,
        advance_replacement_over=given.advance_replacement_over,
        advance_replacement_on_carrier_damage=given.advance_replacement_on_carrier_damage,
        restocking_fee_percent=fees,
        returns_team=given.returns_team,
        warranty_team=given.warranty_team,
        inspection_sla_hours=given.inspection_sla_hours,
        refund_within_hours=given.refund_within_hours,
    )


def build(
    settings: Settings | None = None, *, clock: Clock | None = None, metered: bool = False
) -> System:
    """`metered`: count what happens for /metrics (the web app; commands have no /metrics)."""
    settings = settings or Settings()
    # Read before anything connects, so a bad mapping file stops start-up with its reason.
    defaults = load_mappings(settings.carrier_mappings) if settings.carrier_mappings else []
    engine = make_engine(
        settings.database_url,
        sqlite_synchronous=settings.sqlite_synchronous,
        write_wait=settings.write_wait_seconds,
        connections=settings.request_threads,
    )
    uows = SqlUnitOfWorkFactory(
        engine,
        defaults,
        policy_of(settings),
        settings.link_secret.get_secret_value() if settings.link_secret else None,
        EtaRules(PublicHolidays(), settings.eta_share),
        return_policy_of(settings),
    )
    return System(
        settings=settings,
        engine=engine,
        uows=uows,
        keys=KeyCache(uows, settings.key_cache_seconds),
        clock=clock or SystemClock(),
        meter=PrometheusMeter() if metered else NoMeter(),
        proof_store=_proof_bucket(settings),
    )


def _proof_bucket(settings: Settings) -> ProofFiles | None:
    if not settings.proof_bucket:
        return None
    secret = settings.proof_bucket_secret_key
    return BucketProofFiles.connect(
        settings.proof_bucket,
        prefix=settings.proof_bucket_prefix,
        endpoint_url=settings.proof_bucket_endpoint,
        region=settings.proof_bucket_region,
        # unset: boto3's own chain (AWS_* variables, a profile, an instance role)
        access_key=settings.proof_bucket_access_key,
        secret_key=secret.get_secret_value() if secret else None,
    )
