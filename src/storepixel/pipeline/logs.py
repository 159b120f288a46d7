"""Logs of the live daemon: plain text for a terminal, JSON lines for journald/Loki/Elastic.

Every record passes through :func:`storepixel.redact.redact_text`, so a camera URL quoted by a
library never leaks its password. Structured fields given as ``extra={"camera": ...}`` become
JSON keys (or ``key=value`` pairs in text).

>>> import io, json, logging
>>> buf = io.StringIO()
>>> log = logging.getLogger("demo.doc")
>>> handler = logging.StreamHandler(buf); handler.setFormatter(JsonFormatter())
>>> log.addHandler(handler); log.propagate = False
>>> log.warning("cannot open rtsp://admin:pw@10.0.0.5/1", extra={"camera": "door"})
>>> rec = json.loads(buf.getvalue()); rec["msg"], rec["camera"], rec["level"]
('cannot open rtsp://admin:***@10.0.0.5/1', 'door', 'warning')
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from storepixel.redact import redact_text

# Attributes every LogRecord has: anything else was passed in ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    return redact_text(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC ISO), level, logger, msg, extra fields, error."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact_text(record.getMessage()),
        }
        out.update({k: _safe(v) for k, v in _fields(record).items()})
        if record.exc_info:
            out["error"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``2026-11-21T08:00:00Z INFO logger: message key=value …``, redacted."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        extra = " ".join(f"{k}={_safe(v)}" for k, v in _fields(record).items())
        line = f"{when} {record.levelname} {record.name}: {redact_text(record.getMessage())}"
        if extra:
            line += f" [{extra}]"
        if record.exc_info:
            line += "\n" + redact_text(self.formatException(record.exc_info))
        return line


def setup_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    """Route every log record to stderr in ``fmt`` (``text`` or ``json``), replacing handlers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces every migration step at INFO; libraries stay at WARNING.
    for noisy in ("alembic", "libav", "httpx", "multipart"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
