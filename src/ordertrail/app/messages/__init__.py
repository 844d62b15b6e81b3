"""Messages to customers: queued with the events that cause them, delivered from the outbox."""
