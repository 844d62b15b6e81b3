"""The simulated customers sending things back, the returns desk, and what each return
should come to."""
