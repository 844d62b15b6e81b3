"""The customer's language: the words of the pages and messages customers read, translated at
the moment they are said (never at import), in the language of the request or message."""
