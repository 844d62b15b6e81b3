"""A store you can watch: a seeded stream of a small shop's operations, with the faults the
real world has, fed through the same use cases production uses, and its ground truth."""
