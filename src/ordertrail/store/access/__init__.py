"""Staff, their sessions and API keys, the install's secrets, and shared rate-limit counters."""
