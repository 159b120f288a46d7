"""Credentials never survive redaction, whatever the URL looks like."""

from __future__ import annotations

import pytest

from storepixel.redact import redact_text, redact_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "rtsp://admin:hunter2@10.0.0.5:554/Streaming/Channels/101",
            "rtsp://admin:***@10.0.0.5:554/Streaming/Channels/101",
        ),
        (
            "postgresql+psycopg://app:hunter2@db:5432/storepixel",
            "postgresql+psycopg://app:***@db:5432/storepixel",
        ),
        ("rtsp://admin:hun@ter2@cam/1", "rtsp://admin:***@cam/1"),  # unencoded @
        ("rtsp://admin:hun/ter2@cam/1", "rtsp://admin:***@cam/1"),  # unencoded /
        ("rtsp://admin:hun#ter2@cam/1", "rtsp://admin:***@cam/1"),  # unencoded #
        ("rtsp://admin:hun?ter2@cam/1", "rtsp://admin:***@cam/1"),  # unencoded ?
        ("rtsp://admin:@cam/1", "rtsp://admin:***@cam/1"),
        ("rtsp://admin@cam/1", "rtsp://admin@cam/1"),  # a user name alone is no secret
        ("http://cam/snap?user=v&password=hunter2&x=1", "http://cam/snap?user=v&password=***&x=1"),
        ("https://hook.example/x?token=hunter2", "https://hook.example/x?token=***"),
        ("https://u:hunter2@host/p?email=a@b.com", "https://u:***@host/p?email=a@b.com"),
        ("https://host:8080/p?email=a@b.com", "https://host:8080/p?email=a@b.com"),
        ("sqlite:///data/storepixel.db", "sqlite:///data/storepixel.db"),
        ("/videos/front door.mp4", "/videos/front door.mp4"),
        ("host=db user=app password=hunter2", "host=db user=app password=***"),
        ("", ""),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected
    assert "hunter2" not in redact_url(url)


def test_redact_text_finds_urls_and_keywords() -> None:
    text = "cannot open rtsp://a:hunter2@cam/1; dsn host=db password='hunter2' port=5432"
    out = redact_text(text)
    assert "hunter2" not in out
    assert "rtsp://a:***@cam/1" in out and "port=5432" in out
