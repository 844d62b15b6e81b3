"""The simulated carriers: lanes and how long they take, the parcels' journeys, labels, and
their news in each carrier's own format."""
