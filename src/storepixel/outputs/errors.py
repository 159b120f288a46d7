"""How a delivery attempt failed: the receiver refused this message, or cannot be reached at all.

The two are handled differently: a refused message counts an attempt and is parked after the
destination's ``max_attempts``; an unreachable (or credential-refusing) destination is waited for,
however long, without charging its messages, so nothing is lost while it is down.
"""

from __future__ import annotations

from storepixel.errors import StorepixelError


class DeliveryError(StorepixelError):
    """The receiver answered, refusing this message; ``permanent`` parks it at once."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class DestinationDown(StorepixelError):
    """The destination cannot be reached (or refuses our credentials): try again later."""
