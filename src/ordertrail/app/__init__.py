"""Use cases: commands in, derived state out; the unit-of-work boundary."""
