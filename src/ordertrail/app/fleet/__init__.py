"""The local fleet: drivers, routes of stops, what drivers do at a stop, and its proof."""
