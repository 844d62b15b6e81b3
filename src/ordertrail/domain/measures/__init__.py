"""KPI maths, the KPI catalog and fulfillment costs."""
