"""`/driver`: the local fleet's driver page, made for a phone in one hand."""
