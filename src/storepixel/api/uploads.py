"""Receiving a video upload: streamed from the socket to a file, never held in memory.

The multipart body is parsed as it arrives (``python-multipart``'s push parser): the file part
goes straight to disk under the data folder and the upload stops with a 413 the moment it passes
the size limit; small text fields are kept (at most 4 KiB each). Whatever fails, the partial file
is removed. The client's filename is only kept as a label, after checking it names no folder.
"""

from __future__ import annotations

import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from storepixel.api.errors import BadInput, TooLarge

FIELD_LIMIT = 4096
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def check_filename(name: str) -> str:
    """The client's filename, refused if it could name a folder or another file."""
    if not name or name in (".", "..") or ".." in name or _BAD_NAME.search(name) or len(name) > 255:
        raise BadInput(
            f"invalid filename {name[:80]!r}: expected a plain file name without folders or '..'"
        )
    return name


@dataclass
class Upload:
    folder: Path  # holds only this upload; remove it when done
    path: Path | None = None
    filename: str | None = None
    size: int = 0
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _Receiver:
    def __init__(self, upload: Upload, max_bytes: int) -> None:
        self.upload = upload
        self.max_bytes = max_bytes
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self._name: str | None = None
        self._file: IO[bytes] | None = None
        self._text: bytearray | None = None
        self.error: Exception | None = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def on_headers_finished(self) -> None:
        disposition = self._headers.get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is not None:
            if self._name != "file" or self._file is not None or self.upload.path is not None:
                raise BadInput("expected exactly one file, in the form field 'file'")
            name = check_filename(filename.decode("utf-8", "replace"))
            self.upload.filename = name
            self.upload.path = self.upload.folder / name
            self._file = open(self.upload.path, "wb")  # noqa: SIM115  (closed in on_part_end)
        else:
            self._text = bytearray()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._file is not None:
            self.upload.size += len(chunk)
            if self.upload.size > self.max_bytes:
                raise TooLarge(
                    f"upload larger than the limit of {self.max_bytes // (1024 * 1024)} MiB"
                )
            self._file.write(chunk)
        elif self._text is not None:
            self._text += chunk
            if len(self._text) > FIELD_LIMIT:
                raise BadInput(f"form field {self._name!r} is too long")

    def on_part_end(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        elif self._text is not None and self._name:
            self.upload.fields[self._name] = self._text.decode("utf-8", "replace")
        self._text = None
        self._headers = {}

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


async def receive_upload(request: Request, uploads_dir: Path, max_bytes: int) -> Upload:
    """Parse a ``multipart/form-data`` request into an :class:`Upload` in its own folder."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadInput("expected a multipart/form-data upload with a 'file' field")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > max_bytes + 64 * 1024:
        raise TooLarge(f"upload larger than the limit of {max_bytes // (1024 * 1024)} MiB")
    uploads_dir.mkdir(parents=True, exist_ok=True)
    upload = Upload(uploads_dir / uuid.uuid4().hex)
    upload.folder.mkdir()
    receiver = _Receiver(upload, max_bytes)
    callbacks = {
        "on_part_data": receiver.on_part_data,
        "on_part_end": receiver.on_part_end,
        "on_header_field": receiver.on_header_field,
        "on_header_value": receiver.on_header_value,
        "on_header_end": receiver.on_header_end,
        "on_headers_finished": receiver.on_headers_finished,
    }
    try:
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if upload.path is None:
            raise BadInput("no file in the upload: expected a form field 'file'")
        if receiver._file is not None:
            raise BadInput("the upload ended before the file did")
    except (BadInput, TooLarge):
        receiver.close()
        upload.discard()
        raise
    except Exception as err:  # malformed multipart from the parser
        receiver.close()
        upload.discard()
        raise BadInput(f"malformed multipart upload: {str(err).splitlines()[0][:120]}") from None
    except BaseException:
        receiver.close()
        upload.discard()
        raise
    return upload
