"""OrderTrail: one trusted timeline for every order, from confirmation to delivery and returns."""

__version__ = "0.1.0"
