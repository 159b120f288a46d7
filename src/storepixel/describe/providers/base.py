"""One interface for every vision-language model: a request of text and JPEG pictures with a
response schema in, the answer's text and its token usage out.

Providers never retry (the SDKs' own retries are turned off): ``describe.control`` decides when
to try again, honouring ``Retry-After``, and records every request in the ledger. A failed call
raises ``ProviderError`` with a short reason, whether it may succeed later (``retryable``) and
the server's ``Retry-After`` in seconds if it sent one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from storepixel.errors import StorepixelError


@dataclass(frozen=True, slots=True)
class Request:
    system: str
    text: str
    images: list[bytes] = field(default_factory=list)  # JPEG
    schema: dict[str, Any] = field(default_factory=dict)
    video: bytes | None = None  # an H.264 MP4 clip instead of stills (Gemini only)
    video_fps: float = 1.0  # frames a second the service should sample from ``video``
    schema_name: str = "chunk_description"  # what the answer is (OpenAI names its schema)


@dataclass(frozen=True, slots=True)
class Reply:
    text: str | None
    tokens_in: int
    tokens_out: int
    tokens_by_modality: dict[str, int] = field(default_factory=dict)  # input: TEXT, IMAGE, VIDEO…


class ProviderError(StorepixelError):
    """A request failed. ``outcome`` is the ledger's word for it."""

    def __init__(
        self,
        outcome: str,
        reason: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.outcome = outcome  # rate_limited | server_error | timeout | unreachable | refused
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


class Provider(Protocol):
    name: str
    model: str

    def send(self, request: Request) -> Reply: ...


def retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds; an HTTP date is ignored)."""
    if headers is None:
        return None
    for key, unit in (("retry-after-ms", 1e-3), ("retry-after", 1.0)):
        value = headers.get(key)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * unit)
        except ValueError:
            continue
    return None


def status_error(status: int, message: str, headers: Any) -> ProviderError:
    """The ``ProviderError`` for an HTTP error status."""
    message = " ".join(str(message).split())[:200]
    if status == 429:
        return ProviderError(
            "rate_limited",
            f"HTTP 429: {message}",
            retryable=True,
            retry_after=retry_after(headers),
            status=status,
        )
    if status >= 500 or status == 408:
        return ProviderError(
            "server_error",
            f"HTTP {status}: {message}",
            retryable=True,
            retry_after=retry_after(headers),
            status=status,
        )
    # 400/401/403/404: the request or the key is wrong; trying again will not help.
    return ProviderError("refused", f"HTTP {status}: {message}", retryable=False, status=status)
