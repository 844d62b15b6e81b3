"""Returns: a return's lines folded from its events, the policy, what is refused, alerts."""
