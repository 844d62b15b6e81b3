"""The pure core: milestones, entities and the fold. Imports no framework, database or HTTP."""
