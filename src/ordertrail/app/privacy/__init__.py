"""A customer's data on request (export, erasure) and by policy (retention)."""
