"""What the business measures, in SQL: KPI measures and rollups, costs, page views, counts."""
