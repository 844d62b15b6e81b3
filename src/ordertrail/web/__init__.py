"""FastAPI: routes parse input, call a handler or a query, render. Nothing more."""
