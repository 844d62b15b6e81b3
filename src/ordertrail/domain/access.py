"""Who may do what: staff roles, the permissions each carries, and the checks on the object
itself (which sources a key may speak for, whose contact details it may read).

A role is a job, not a level: a warehouse key records scans at its site and reads the parcels
it packs, but never a customer's email; support reads contacts and works cases, but changes
no carrier mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ordertrail.domain.milestones import SourceKind


class Role(StrEnum):
    ADMIN = "admin"
    OPS = "ops"
    SUPPORT = "support"
    WAREHOUSE = "warehouse"
    METRICS = "metrics"  # a scraper's key: /metrics and nothing else


class Permission(StrEnum):
    READ_ORDERS = "read_orders"  # orders, parcels, timelines (contact details need more)
    READ_CONTACT = "read_contact"  # a customer's name, email, phone and address
    REGISTER_ORDERS = "register_orders"
    RECORD_EVENTS = "record_events"  # which sources is checked per event (`may_speak_for`)
    RECORD_SCANS = "record_scans"
    MANAGE_SITES = "manage_sites"
    READ_EXCEPTIONS = "read_exceptions"
    WORK_EXCEPTIONS = "work_exceptions"  # acknowledge, assign, note, resolve
    REPORT_MISSING = "report_missing"  # a customer says a delivered parcel never came
    CORRECT_STATUS = "correct_status"  # an ops correction, recorded as an event
    READ_MAPPINGS = "read_mappings"
    MANAGE_MAPPINGS = "manage_mappings"
    MANAGE_OUTBOX = "manage_outbox"  # dead letters hold recipients: contact details
    MANAGE_STAFF = "manage_staff"  # staff users and API keys
    READ_METRICS = "read_metrics"  # /metrics: counts and ages, no order or customer
    READ_KPIS = "read_kpis"  # the KPI report and the orders behind each figure
    RECORD_COSTS = "record_costs"  # fulfillment costs: postage, handling, returns
    #: ask for a return for a customer, approve or reject it, release its refund or replacement
    DECIDE_RETURNS = "decide_returns"
    #: book a return's pickup, attach its label, receive and inspect its goods
    HANDLE_RETURNS = "handle_returns"
    PLAN_ROUTES = "plan_routes"  # the local fleet's routes and stops


_P = Permission
_READ = {_P.READ_ORDERS, _P.READ_EXCEPTIONS, _P.READ_MAPPINGS}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.OPS: frozenset(Permission) - {_P.MANAGE_STAFF},
    Role.SUPPORT: frozenset(
        {
            *_READ,
            _P.READ_CONTACT,
            _P.WORK_EXCEPTIONS,
            _P.REPORT_MISSING,
            _P.CORRECT_STATUS,
            _P.READ_KPIS,
            _P.DECIDE_RETURNS,
        }
    ),
    Role.WAREHOUSE: frozenset(
        {
            _P.READ_ORDERS,
            _P.READ_EXCEPTIONS,
            _P.RECORD_SCANS,
            _P.RECORD_EVENTS,
            _P.HANDLE_RETURNS,
        }
    ),
    Role.METRICS: frozenset({_P.READ_METRICS}),
}

#: Which kinds of source a role may record events for. Support corrects a status as `ops:`
#: through the correction form only (CORRECT_STATUS), never through the raw event feed.
SPEAKS_FOR: dict[Role, frozenset[SourceKind]] = {
    Role.ADMIN: frozenset(SourceKind),
    Role.OPS: frozenset(SourceKind),
    Role.SUPPORT: frozenset(),
    Role.WAREHOUSE: frozenset({SourceKind.WAREHOUSE}),
    Role.METRICS: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Whoever a request acts for: a staff member through the console, or an integration
    through its API key. `site` binds a warehouse key to one site."""

    name: str
    role: Role
    site: str | None = None

    def may(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    def may_speak_for(self, source_kind: SourceKind, source_name: str) -> bool:
        """Whether events from `kind:name` may come from this principal (a warehouse key
        cannot claim a carrier's delivery; a site-bound key speaks for its own site only; an
        `ops:` event is the principal's own, `ops:<its name>`)."""
        if source_kind not in SPEAKS_FOR[self.role]:
            return False
        if source_kind is SourceKind.OPS:
            # an ops event outranks every other and names who made it: the sender itself
            return source_name == self.name
        return not (self.site and source_kind is SourceKind.WAREHOUSE and source_name != self.site)

    def may_scan_at(self, site: str) -> bool:
        return self.may(Permission.RECORD_SCANS) and (self.site is None or self.site == site)
