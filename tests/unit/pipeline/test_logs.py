"""Daemon logs: JSON lines with structured fields, text with key=value; credentials never shown."""

from __future__ import annotations

import io
import json
import logging

import pytest

from storepixel.pipeline.logs import JsonFormatter, TextFormatter


def emit(formatter: logging.Formatter, *args: object, **extra: object) -> str:
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(formatter)
    log = logging.getLogger(f"test.logs.{id(formatter)}")
    log.addHandler(handler)
    log.propagate = False
    try:
        raise RuntimeError("connect to rtsp://admin:hunter2@10.0.0.5/1 failed")
    except RuntimeError:
        log.error(*args, extra=extra, exc_info=bool(extra.pop("with_error", False)))  # type: ignore[arg-type]
    return buf.getvalue()


@pytest.mark.parametrize("with_error", [False, True])
def test_json_lines_carry_fields_and_hide_passwords(with_error: bool) -> None:
    out = emit(
        JsonFormatter(),
        "camera %s down: %s",
        "door",
        "rtsp://admin:hunter2@10.0.0.5/1",
        camera="door",
        source="rtsp://admin:hunter2@10.0.0.5/1",
        reconnects=3,
        with_error=with_error,
    )
    record = json.loads(out)
    assert record["level"] == "error" and record["camera"] == "door" and record["reconnects"] == 3
    assert record["source"] == "rtsp://admin:***@10.0.0.5/1"
    assert record["time"].endswith("+00:00")
    assert ("error" in record) is with_error
    assert "hunter2" not in out


def test_text_lines_show_fields_as_key_value() -> None:
    out = emit(TextFormatter(), "health", camera="door", analysed_fps=4.9)
    assert "ERROR test.logs" in out and "[camera=door analysed_fps=4.9]" in out
