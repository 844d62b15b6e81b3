"""Delivery dates: our estimate, the window customers see, the date promised, business days."""
