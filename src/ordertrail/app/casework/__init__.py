"""Exception cases and the work list staff act on."""
