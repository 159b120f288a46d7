"""The upload parser streams to disk: memory stays flat whatever the file size."""

from __future__ import annotations

import asyncio
import tracemalloc
from pathlib import Path

import pytest
from starlette.requests import Request

from storepixel.api.errors import TooLarge
from storepixel.api.uploads import receive_upload

BOUNDARY = "sp-boundary"
CHUNK = 64 * 1024


def request(total: int) -> Request:
    """A multipart request whose file part is ``total`` bytes, delivered in 64 KiB messages."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="camera"\r\n\r\ncam1\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n\r\n'
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    block = bytes(range(256)) * (CHUNK // 256)
    parts = [head] + [block] * (total // CHUNK) + [tail]
    messages = iter(parts)

    async def receive() -> dict[str, object]:
        body = next(messages, None)
        if body is None:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": body, "more_body": body is not tail}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())],
    }
    return Request(scope, receive)


def test_a_large_upload_is_written_with_flat_memory(tmp_path: Path) -> None:
    total = 48 * 1024 * 1024
    tracemalloc.start()
    try:
        upload = asyncio.run(receive_upload(request(total), tmp_path, 64 * 1024 * 1024))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert upload.size == total and upload.path is not None
    assert upload.path.stat().st_size == total and upload.fields == {"camera": "cam1"}
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a {total / 1e6:.0f} MB upload"
    upload.discard()
    assert list(tmp_path.iterdir()) == []


def test_the_limit_stops_the_upload_and_removes_the_partial_file(tmp_path: Path) -> None:
    with pytest.raises(TooLarge, match="limit of 1 MiB"):
        asyncio.run(receive_upload(request(4 * 1024 * 1024), tmp_path, 1024 * 1024))
    assert list(tmp_path.iterdir()) == []
