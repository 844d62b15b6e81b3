"""Exception cases: the rules that open them, the queue staff work, the rhythm of a lane."""
