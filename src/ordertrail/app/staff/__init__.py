"""Staff and integrations: sign-in, sessions, API keys and what each role may see."""
