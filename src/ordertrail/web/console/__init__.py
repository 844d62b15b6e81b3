"""The staff's pages: the ops console and the scan station, behind a signed-in session."""
