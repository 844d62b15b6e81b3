"""The schema: the append-only event log, and the projections derived from it.

The same tables run on SQLite and PostgreSQL; migrations in `migrations/` create them and a
test checks the two never drift apart.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from ordertrail.store.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

SequenceId = BigInteger().with_variant(Integer(), "sqlite")

orders = Table(
    "orders",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("channel", String(50), nullable=False),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("customer", JSON, nullable=False),
    Column("promised_by", Date),
    Column("priority", String(30), nullable=False),
    Column("value_amount", BigInteger),
    Column("value_currency", String(3)),
    Column("lines", JSON, nullable=False),
    # projection: derived from events, rewritten by every change and by `rebuild`
    Column("status", String(30), nullable=False),
    Column("needs_attention", Boolean, nullable=False),
    Column("fold_state", JSON),
    Column("external_id", String(100), index=True),
    Column("promised_from", Date),
    Column("channel_updated_at", UtcDateTime()),
    Column("own_status", String(30)),  # projection: the status of the order's own events
    Column("customer_email", String(320), index=True),  # lower case, for staff search
    # kept apart so reports group by destination without reading into the customer's JSON
    Column("customer_country", String(100)),
    # when the promised delivery day ends for the customer and the sweep should look at the
    # order's parcels (NULL: nothing promised, or looked at already)
    Column("promise_check_at", UtcDateTime(), index=True),
    # when the promised day ends where the customer is (domain.promise): what the on-time
    # KPI compares the delivery with, kept whatever the sweep does with promise_check_at
    Column("promise_ends_at", UtcDateTime()),
    # when the customer's personal data was erased on request (NULL: never): a channel's
    # later copy of the order must not bring it back
    Column("erased_at", UtcDateTime()),
    # the first pick scanned on the order itself (not on a parcel), kept for the KPIs
    Column("picked_at", UtcDateTime()),
    # a B2B order's consignee, purchase order and delivery needs (NULL: a consumer's order)
    Column("business", JSON),
    # the customer's language tag as the shop sent it ("fr-CA"; NULL: not said)
    Column("locale", String(35)),
    Index("ix_orders_placed_at", "placed_at"),  # a KPI period is the orders placed in it
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("order_id", String(100), ForeignKey("orders.id"), nullable=False, index=True),
    Column("tracking_number", String(100), unique=True),
    Column("carrier", String(100)),
    Column("service", String(100)),
    Column("site", String(100)),
    Column("lines", JSON, nullable=False),
    # projection
    Column("status", String(30)),
    Column("exception_reason", String(30)),
    Column("eta", String(40)),
    Column("shipped_at", UtcDateTime()),
    Column("delivered_at", UtcDateTime()),
    Column("last_event_at", UtcDateTime()),
    Column("fold_state", JSON),
    # polling carriers without webhooks: when to ask next (NULL: not asked yet), failures in a
    # row, and whether asking is over (delivered, or silent for a month)
    Column("next_poll_at", UtcDateTime(), index=True),
    Column("poll_failures", Integer, nullable=False, server_default="0"),
    Column("polling_done", Boolean, nullable=False, server_default=false()),
    # when the shipment reached its status: a carton packed or labelled long ago and never
    # handed over is found through (status, status_at) without reading every shipment
    Column("status_at", UtcDateTime()),
    Column("cancelled", Boolean, nullable=False, server_default=false()),
    Column("channel_updated_at", UtcDateTime()),  # the channel's version of this parcel
    # when the time-based exception rules should look at this parcel again (NULL: no need)
    Column("next_check_at", UtcDateTime(), index=True),
    Index("ix_shipments_status_status_at", "status", "status_at"),
    # KPI rollups: when each warehouse step and the first delivery attempt were first
    # scanned, kept from the event log whenever the projection is saved
    Column("picked_at", UtcDateTime()),
    Column("packed_at", UtcDateTime()),
    Column("labelled_at", UtcDateTime()),
    Column("attempted_at", UtcDateTime()),
)

#: Exception cases: one per subject, kind and cause, never deleted; `history` grows.
exception_cases = Table(
    "exception_cases",
    metadata,
    Column("id", SequenceId, primary_key=True, autoincrement=True),
    Column("subject_kind", String(10), nullable=False),
    Column("subject_id", String(100), nullable=False),
    Column("order_id", String(100), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("cause", String(220), nullable=False),
    Column("team", String(20), nullable=False),
    Column("status", String(10), nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("resolved_at", UtcDateTime()),
    Column("detail", Text, nullable=False),
    Column("history", JSON, nullable=False),
    Column("assigned_to", String(120)),
    Column("acknowledged_by", String(120)),
    UniqueConstraint("subject_kind", "subject_id", "kind", "cause"),
    Index("ix_exception_cases_open", "status", "team", "opened_at"),
)

#: Messages to send, written in the same transaction as the events that caused them and sent
#: at least once by the worker. `id` is the message id receivers deduplicate on; `dedupe`
#: keeps the same message (per channel) from being queued twice.
outbox = Table(
    "outbox",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("dedupe", String(300), nullable=False, unique=True),
    Column("channel", String(10), nullable=False),
    Column("audience", String(10), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("order_id", String(100), nullable=False, index=True),
    Column("subject_kind", String(10), nullable=False),
    Column("subject_id", String(100), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("context", JSON, nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("available_at", UtcDateTime(), nullable=False),
    Column("claimed_until", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime()),
    Column("last_error", Text),
    Index("ix_outbox_status_available_at", "status", "available_at"),
)

#: Links in customer messages open the order without a lookup: a token per message, derived
#: when it is sent (app/messages/links.py); only its SHA-256 is kept, never the token.
tracking_tokens = Table(
    "tracking_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("order_id", String(100), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

#: Secrets the install makes for itself on first use when settings give none (the key that
#: message links are derived with): a fresh install works without setting anything up.
install_secrets = Table(
    "install_secrets",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

#: How long parcels usually go between meaningful scans, learned from history per lane and
#: milestone (a high percentile), so a stall is judged against the lane's own rhythm.
rhythms = Table(
    "rhythms",
    metadata,
    Column("carrier", String(100), primary_key=True),
    Column("service", String(100), primary_key=True),
    Column("origin", String(20), primary_key=True),
    Column("destination", String(20), primary_key=True),
    Column("milestone", String(30), primary_key=True),
    Column("seconds", Integer, nullable=False),
    Column("samples", Integer, nullable=False),
    Column("learned_at", UtcDateTime(), nullable=False),
)

#: Another name a shipment answered to before (a carton relabelled with a new tracking number
#: or SSCC): reports under the old name still reach the same timeline.
shipment_aliases = Table(
    "shipment_aliases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("shipment_id", String(100), ForeignKey("shipments.id"), nullable=False, index=True),
    Column("linked_at", UtcDateTime(), nullable=False),
    Column("linked_by", String(120), nullable=False),
)

#: Webhook deliveries already handled, by the sender's own delivery id (Shopify's
#: `X-Shopify-Webhook-Id`, WooCommerce's `X-WC-Webhook-Delivery-ID`): a re-delivery is
#: acknowledged without being read again.
hook_deliveries = Table(
    "hook_deliveries",
    metadata,
    Column("source", String(50), primary_key=True),
    Column("delivery_id", String(200), primary_key=True),
    Column("received_at", UtcDateTime(), nullable=False),
)

#: Where orders ship from: warehouses, stores and 3PLs, as data.
sites = Table(
    "sites",
    metadata,
    Column("id", String(50), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("time_zone", String(64)),
    Column("city", String(100)),
    Column("region", String(100)),
    Column("country", String(2)),
    Column("cutoff", String(5)),  # "HH:MM" in the site's zone: the carrier's last collection
)

#: How many business days parcels took on each lane (a histogram: counts[i] parcels took i
#: days), from leaving to delivery and from their first scan in the destination region.
eta_lanes = Table(
    "eta_lanes",
    metadata,
    Column("carrier", String(100), primary_key=True),
    Column("service", String(100), primary_key=True),
    Column("origin", String(50), primary_key=True),
    Column("destination", String(30), primary_key=True),
    Column("level", String(10), primary_key=True),
    Column("leg", String(20), primary_key=True),
    Column("counts", JSON, nullable=False),
    Column("samples", Integer, nullable=False),
    Column("learned_at", UtcDateTime(), nullable=False),
)

#: The delivery window each parcel's customer sees, with our latest estimate beside it.
eta_shown = Table(
    "eta_shown",
    metadata,
    Column("shipment_id", String(100), ForeignKey("shipments.id"), primary_key=True),
    Column("order_id", String(100), nullable=False, index=True),
    Column("earliest", Date),
    Column("latest", Date),
    Column("confidence", Float),
    Column("basis", String(20), nullable=False),
    Column("changed", Integer, nullable=False),
    Column("paused", String(20)),
    Column("reason", String(30)),
    Column("trouble", String(20)),
    Column("reached_destination_at", UtcDateTime()),
    Column("set_at", UtcDateTime()),
    Column("model", JSON),  # our latest estimate: earliest, latest, confidence, basis, paused
    Column("estimated_at", UtcDateTime()),
    # a window that has passed is looked at again by the worker: found through this index
    Column("due", Boolean, nullable=False, server_default=false()),
    Index("ix_eta_shown_due_latest", "due", "latest"),
)

#: Every change of a customer-visible window, with its cause: never updated.
eta_changes = Table(
    "eta_changes",
    metadata,
    Column("id", SequenceId, primary_key=True, autoincrement=True),
    Column("shipment_id", String(100), nullable=False, index=True),
    Column("order_id", String(100), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("was_earliest", Date, nullable=False),
    Column("was_latest", Date, nullable=False),
    Column("earliest", Date, nullable=False),
    Column("latest", Date, nullable=False),
    Column("cause", String(20), nullable=False),
    Column("basis", String(20), nullable=False),
)

#: Returns: `status` and the columns after it are derived from the return's events
#: (domain/returns/return_lines.py) and rebuilt with everything else.
returns = Table(
    "returns",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("order_id", String(100), ForeignKey("orders.id"), nullable=False, index=True),
    Column("lines", JSON, nullable=False),
    Column("status", String(30)),
    Column("fold_state", JSON),
    Column("kind", String(10)),
    Column("team", String(20)),
    # the return label's parcel: a carrier's event for this number lands on the return
    Column("tracking_number", String(100), index=True),
    Column("carrier", String(50)),
    Column("requested_at", UtcDateTime()),
    Column("updated_at", UtcDateTime()),
    Column("detail", JSON),
)

#: Each return's lines as derived from its events: asked, received, decided, damaged.
return_lines = Table(
    "return_lines",
    metadata,
    Column("return_id", String(100), ForeignKey("returns.id"), primary_key=True),
    Column("sku", String(100), primary_key=True),
    Column("order_id", String(100), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("received", Integer, nullable=False),
    Column("disposition", String(20)),
    Column("damaged", Integer, nullable=False),
)

#: Numbers the install hands out in sequence (`rma`: RMA-1001, RMA-1002, ...).
counters = Table(
    "counters",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("seq", SequenceId, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("subject_kind", String(10), nullable=False),
    Column("subject_id", String(100), nullable=False),
    Column("order_id", String(100), nullable=False, index=True),
    Column("milestone", String(30)),
    Column("reason", String(30)),
    Column("source", String(120), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    # the UTC offset the source reported, so its local time can be shown as it was said
    Column("occurred_offset_min", SmallInteger, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("location", JSON),
    Column("raw_code", String(100)),
    Column("raw_description", Text),
    Column("data", JSON),
    Index("ix_events_subject", "subject_kind", "subject_id"),
    Index("ix_events_source_raw_code", "source", "raw_code"),
    # the KPIs read events of a few milestones (attempts, scans, returns): this index holds
    # everything they read, so they never walk the log
    Index("ix_events_milestone_subject", "milestone", "subject_kind", "subject_id", "occurred_at"),
)

#: Fulfillment costs the shop recorded (domain.costs), in the currency given; `order_id` is
#: the order a parcel's or return's cost belongs to, NULL for a site's handling.
costs = Table(
    "costs",
    metadata,
    Column("id", SequenceId, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("target", String(10), nullable=False),
    Column("target_id", String(100), nullable=False),
    Column("order_id", String(100), index=True),
    Column("site", String(50)),
    Column("kind", String(20), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("incurred_on", Date, nullable=False, index=True),
    Column("source", String(120), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)

#: Views of an order's tracking pages, a counter per order and day (written without waiting
#: for other writers: a busy moment loses a view, never a page).
page_views = Table(
    "page_views",
    metadata,
    Column("order_id", String(100), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("views", Integer, nullable=False),
)

code_mappings = Table(
    "code_mappings",
    metadata,
    Column("carrier", String(50), primary_key=True),
    Column("raw_code", String(100), primary_key=True),  # normalized: see domain.mapping
    Column("milestone", String(30), nullable=False),
    Column("reason", String(30)),
    Column("mapped_by", String(120), nullable=False),
    Column("mapped_at", UtcDateTime(), nullable=False),
    Column("note", Text),
)

unmatched_reports = Table(
    "unmatched_reports",
    metadata,
    Column("seq", SequenceId, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),  # a re-delivery is held once
    Column("shipment_name", String(100), nullable=False, index=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("report", JSON, nullable=False),  # the canonical event JSON
)

#: When each long-running process (the worker) last finished a round, and what it said.
heartbeats = Table(
    "heartbeats",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("said", Text, nullable=False),
)

#: What each long-running process's rounds have done in all, one row per figure (`rounds`,
#: `sweep_opened`, `outbox_sent` ...): /metrics offers them as counters.
round_totals = Table(
    "round_totals",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("figure", String(50), primary_key=True),
    Column("total", BigInteger, nullable=False),
)

#: Staff who sign in to the console; passwords as argon2 hashes only.
staff_users = Table(
    "staff_users",
    metadata,
    Column("id", SequenceId, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("disabled_at", UtcDateTime()),
)

#: Console sessions by the SHA-256 of their cookie; a lost database leaks no usable cookie.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", SequenceId, ForeignKey("staff_users.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
)

#: API keys of integrations by the SHA-256 of the key; revoked keys are kept for the record.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", SequenceId, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False),
    Column("role", String(20), nullable=False),
    Column("site", String(50)),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("revoked_at", UtcDateTime()),
    Column("last_used_at", UtcDateTime()),
)

#: Each stored JSON value `ordertrail repair text` rewrote, with the text it held before (as
#: stored: ASCII with escapes, so nothing is lost), so the record says what was changed.
text_repairs = Table(
    "text_repairs",
    metadata,
    Column("seq", SequenceId, primary_key=True, autoincrement=True),
    Column("repaired_at", UtcDateTime(), nullable=False),
    Column("table_name", String(50), nullable=False),
    Column("row_key", String(300), nullable=False),
    Column("column_name", String(50), nullable=False),
    Column("stored", Text, nullable=False),
)

#: A row here, inside an erasure's own transaction and never committed, lets that transaction
#: rewrite the personal parts of events (migration 0017 says exactly which): nothing else may.
erasure_permits = Table(
    "erasure_permits",
    metadata,
    Column("erasure", String(64), primary_key=True),
)

#: The local fleet: its drivers (a PIN stored as an argon2 hash, like a staff password), the
#: day's routes, their stops in driving order, and the parcels of each stop.
fleet_drivers = Table(
    "fleet_drivers",
    metadata,
    Column("id", SequenceId, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("fleet", String(50), nullable=False),
    Column("pin_hash", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("disabled_at", UtcDateTime()),
)

fleet_routes = Table(
    "fleet_routes",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("fleet", String(50), nullable=False),
    Column("driver_id", SequenceId, ForeignKey("fleet_drivers.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_fleet_routes_driver_id_day", "driver_id", "day"),
)

fleet_stops = Table(
    "fleet_stops",
    metadata,
    Column("route_id", String(100), ForeignKey("fleet_routes.id"), primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("window_start", UtcDateTime()),
    Column("window_end", UtcDateTime()),
    Column("address", String(300)),
)

fleet_stop_parcels = Table(
    "fleet_stop_parcels",
    metadata,
    Column("route_id", String(100), ForeignKey("fleet_routes.id"), primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("shipment_id", String(100), ForeignKey("shipments.id"), primary_key=True),
    Column("day", Date, nullable=False),  # the route's: one route a day per parcel
    Index("ix_fleet_stop_parcels_shipment_id_day", "shipment_id", "day"),
)

#: Rate-limit counters shared by every `serve` process (store/access/rate_counters.py): one row a
#: key and window, `expires_at` in epoch seconds.
rate_counters = Table(
    "rate_counters",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)

#: What a customer asked for one order on its page (store/effects/subscriptions.py): a number texts
#: go to, and when they stopped its emails (one-click unsubscribe). One row an order.
order_subscriptions = Table(
    "order_subscriptions",
    metadata,
    Column("order_id", String(100), ForeignKey("orders.id"), primary_key=True),
    Column("sms_number", String(16), nullable=True),
    Column("sms_added_at", UtcDateTime(), nullable=True),
    Column("email_stopped_at", UtcDateTime(), nullable=True),
)

#: Queue filters a team keeps (domain/casework/saved_filters.py): one name per team; what it
#: shows is the queue's own filter, column by column.
saved_filters = Table(
    "saved_filters",
    metadata,
    Column("id", SequenceId, primary_key=True, autoincrement=True),
    Column("team", String(20), nullable=False),
    Column("name", String(60), nullable=False),
    Column("kind", String(40)),
    Column("shows_team", String(20)),
    Column("age", String(5), nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("status", String(10), nullable=False),
    Column("saved_by", String(320), nullable=False),
    Column("saved_at", UtcDateTime(), nullable=False),
    UniqueConstraint("team", "name"),
)

#: Statements that make the log append-only inside the database itself.
APPEND_ONLY_SQL = {
    "sqlite": [
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$",
        "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_append_only()",
    ],
}
