"""Logging set-up: readable text by default, one JSON object per line with HEARTH_LOG_FORMAT=json.

Log lines carry events and counts, never what anyone said. Put fields in `extra=` and they
appear as keys in JSON mode: `log.info("ws.connect", extra={"room": 12})`.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from meeting.settings import Settings

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName", "color_message"}


# Libraries that print frames or query parameters at DEBUG: the websockets protocol (through
# uvicorn's logger) writes the start of every frame, so chat text. They never go below these
# levels, whatever HEARTH_LOG_LEVEL says; the canary tests run the servers at DEBUG to prove it.
_NEVER_DEBUG = {
    "uvicorn.error": logging.INFO,
    "websockets": logging.INFO,
    "redis": logging.INFO,
    "sqlalchemy.engine": logging.WARNING,
    "aiosqlite": logging.INFO,
    "asyncpg": logging.INFO,
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[0] is not None:
            out["error"] = record.exc_info[0].__name__
            out["trace"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if fields:
            line += " " + " ".join(f"{k}={v}" for k, v in fields.items())
        return line


def configure(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    for name, floor in _NEVER_DEBUG.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(settings.log_level)))
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").disabled = True  # addresses + paths reveal who attends what
