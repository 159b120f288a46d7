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


class NotFound(StorepixelError):
    """The site, camera, line, zone, job, user or key does not exist (or is not yours)."""


class Conflict(StorepixelError):
    """The request clashes with the current state (a name taken, live cameras not running)."""


class BadInput(StorepixelError):
    """The request is malformed (a bad parameter, an unreadable upload)."""
