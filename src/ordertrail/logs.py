"""How `serve` and `worker` log: plain text by default; with ORDERTRAIL_LOG_FORMAT=json, one
JSON object a line (time, level, logger, message, request_id and, for a request, method,
route, status and duration_ms), for a log shipper to read without a parser of its own."""

from __future__ import annotations

import json
import logging
import logging.config
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

#: The request being answered, in every line logged while it is (each request runs in its
#: own context, so concurrent requests never see each other's).
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

#: Fields a line may carry beyond the standard ones, given as `extra=` by the code logging.
_FIELDS = ("method", "route", "status", "duration_ms", "figures")


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": REQUEST_ID.get(),
            "pid": record.process,  # which of `serve --workers N` said it
        }
        line.update({name: getattr(record, name) for name in _FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def json_config(*, uvicorn: bool) -> dict[str, Any]:
    """A logging.config dictionary sending every logger's lines to stderr as JSON; for
    uvicorn, its access log is off (the request log in web/request_log.py says more)."""
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLines}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["json"], "level": "INFO"},
    }
    if uvicorn:
        config["loggers"] = {
            "uvicorn": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        }
    return config


def configure(log_format: str) -> None:
    """For `ordertrail worker`: JSON lines when asked, else Python's default (plain)."""
    if log_format == "json":
        logging.config.dictConfig(json_config(uvicorn=False))
