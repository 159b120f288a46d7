"""One exception hierarchy whose messages are shown to users as they are.

The CLI turns a ``StorepixelError`` into a one-line message and a non-zero exit code; the API turns
it into a 4xx JSON body. Anything else escaping is a bug.
"""


class StorepixelError(Exception):
    """Base of every error a user can cause; ``str(err)`` is the one-line message."""

    exit_code = 2


class ConfigError(StorepixelError):
    """A site, camera or detector configuration is invalid."""


class SourceError(StorepixelError):
    """A video source cannot be opened or read (missing file, not a video, unreachable camera)."""


class DetectorError(StorepixelError):
    """A detector model cannot be loaded or does not match its declared format."""


class StoreError(StorepixelError):
    """The event store cannot be reached or written."""
