"""Events in: commands, their handlers, and the derivation every accepted event goes through."""
