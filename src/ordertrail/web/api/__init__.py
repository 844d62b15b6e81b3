"""The JSON API for integrations: every route needs an API key (`Authorization: Bearer`)."""
