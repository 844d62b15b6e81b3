"""Signed deliveries from carriers and store platforms, verified before anything is read."""
