"""What follows a change, in the database: cases, the outbox, estimates, subscriptions, filters."""
