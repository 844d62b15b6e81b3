"""`ordertrail ...`: as thin as the web routes. Exit codes: 0 ok, 1 failure, 2 bad input."""

from ordertrail.cli import (
    bench,
    customers,
    demo,
    eta,
    exceptions,
    fleet,
    kpis,
    mappings,
    notifications,
    operations,
    records,
    repair,
    returns,
    staff,
    warehouse,
)
from ordertrail.cli.common import app


def main() -> None:
    app()


__all__ = [
    "app",
    "bench",
    "customers",
    "demo",
    "eta",
    "exceptions",
    "fleet",
    "kpis",
    "main",
    "mappings",
    "notifications",
    "operations",
    "records",
    "repair",
    "returns",
    "staff",
    "warehouse",
]
