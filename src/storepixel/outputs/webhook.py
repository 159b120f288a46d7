"""HTTP destinations: signed webhooks (and the shared POST used by GA4 and Segment).

A webhook request carries ``X-Storepixel-Signature: t=UNIX_SECONDS,v1=HEX``, where ``HEX`` is the
HMAC-SHA256 of ``"{t}.{body}"`` with the destination's secret. A receiver checks it with
:func:`verify_signature` (or the same few lines in any language; docs/integrations.md) and rejects
a ``t`` more than a few minutes old, so a captured request cannot be replayed later.

>>> header = sign(b'{"id":"e1"}', "s3cret", t=1714557600)
>>> header[:16]
't=1714557600,v1='
>>> verify_signature(b'{"id":"e1"}', header, "s3cret", now=1714557630)
True
>>> verify_signature(b'{"id":"e2"}', header, "s3cret", now=1714557630)
False
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from storepixel.outputs.errors import DeliveryError, DestinationDown
from storepixel.outputs.outbox import Queued
from storepixel.redact import redact_text, redact_url

SIGNATURE_HEADER = "X-Storepixel-Signature"


def sign(body: bytes, secret: str, *, t: int | None = None) -> str:
    """The signature header value for ``body`` at UNIX time ``t`` (now by default)."""
    t = int(time.time()) if t is None else int(t)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_signature(
    body: bytes, header: str, secret: str, *, now: float | None = None, tolerance_s: float = 300
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` and is at most ``tolerance_s`` old."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        t = int(parts["t"])
    except (ValueError, KeyError):
        return False
    now = time.time() if now is None else now
    if abs(now - t) > tolerance_s:
        return False
    expected = sign(body, secret, t=t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys in the payload's order."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def post(
    url: str, body: bytes, headers: dict[str, str], timeout_s: float, *, shown: str | None = None
) -> None:
    """POST ``body``; raises :class:`DestinationDown` (unreachable) or :class:`DeliveryError`
    (the receiver answered with an error; 4xx other than 408/429 is permanent). ``shown`` is
    how errors name the URL (default: the URL with credentials hidden)."""
    shown = shown or redact_url(url)
    req = urllib.request.Request(url, data=body, method="POST")
    for k, v in {"Content-Type": "application/json", **headers}.items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            resp.read()
    except urllib.error.HTTPError as err:
        status = err.code
        permanent = 400 <= status < 500 and status not in (408, 429)
        raise DeliveryError(f"{shown} answered HTTP {status}", permanent=permanent) from None
    except OSError as err:  # URLError, timeouts and refused connections are all OSErrors
        reason = getattr(err, "reason", err)
        raise DestinationDown(f"{shown} unreachable: {redact_text(str(reason))}") from None


class WebhookDestination:
    """POSTs each message's JSON body to ``url``, signed with ``secret``."""

    def __init__(self, name: str, url: str, secret: str, timeout_s: float = 10.0) -> None:
        self.name = name
        self.url = url
        self._secret = secret
        self.timeout_s = timeout_s

    def __repr__(self) -> str:  # never the secret
        return f"WebhookDestination({self.name!r}, {redact_url(self.url)!r})"

    def send(self, message: Queued) -> None:
        body = body_bytes(message.payload)
        headers = {
            SIGNATURE_HEADER: sign(body, self._secret),
            "X-Storepixel-Id": message.message_id,
        }
        post(self.url, body, headers, self.timeout_s)

    def close(self) -> None:
        pass
