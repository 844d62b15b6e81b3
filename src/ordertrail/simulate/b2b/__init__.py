"""The simulated shop's B2B accounts: their orders, the freight carrier's news, and what
those orders should show."""
