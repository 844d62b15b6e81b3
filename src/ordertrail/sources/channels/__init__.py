"""Orders in from where shops keep them: store platforms and order files."""
