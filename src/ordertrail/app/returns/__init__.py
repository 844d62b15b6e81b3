"""Returns as a flow on the event log: request, decide, bring back, inspect, refund or replace."""
