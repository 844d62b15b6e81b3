"""What the business measures: KPIs, costs, the overview and the operator's figures."""
