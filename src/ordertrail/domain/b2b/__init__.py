"""Business-to-business deliveries: who receives them, dock appointments, line progress."""
