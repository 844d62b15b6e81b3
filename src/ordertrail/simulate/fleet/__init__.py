"""The simulated shop's own van: the local round and its day on the road."""
