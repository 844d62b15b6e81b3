"""Public holidays by country and state or province, from the `holidays` package: the days a
carrier does not deliver at a place, besides weekends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import holidays


class PublicHolidays:
    """The HolidayCalendar port (app/promise/eta_ports.py) over the `holidays` package's tables."""

    def days_off(self, country: str, region: str | None, years: Iterable[int]) -> frozenset[date]:
        wanted = list(years)
        try:
            found = holidays.country_holidays(country, subdiv=region, years=wanted)
        except NotImplementedError:
            if region is None:  # a country the tables do not know: weekends only
                return frozenset()
            # a region the country's table does not divide by: the national holidays
            return self.days_off(country, None, wanted)
        return frozenset(found)
