"""Which camera sources an API client may set.

A camera's ``source`` is opened by the server: a file is read, a URL is fetched. Sources written
in the site YAML are the operator's; sources set through the API (an ``admin``-scope key or an
admin user) must pass this policy, so that a key for one site cannot read another site's video,
any local file, or make the server connect to itself:

- **files** only under a media root (``serve --media-root DIR``; ``{site}`` in it stands for the
  site id, giving each site its own folder). Default: none, so the API cannot set file sources.
  Paths are resolved (``..``, symlinks) before the check, and the answer is the same whether the
  file exists or not;
- **URLs** only with an allowed scheme (``--source-scheme``; default rtsp, rtsps, http, https)
  and, unless ``--allow-local-sources``, not to loopback, link-local, unspecified or multicast
  addresses nor to any address of this server (all the addresses the host name resolves to are
  checked); capture devices (``/dev/videoN``) also need ``--allow-local-sources``.

Refusals are one-line 422s (:class:`SourceRefused`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from storepixel.api.errors import BadInput
from storepixel.redact import redact_url

DEFAULT_SCHEMES = ("rtsp", "rtsps", "http", "https")


class SourceRefused(BadInput):
    """A camera source the source policy does not allow (422)."""


@dataclass(frozen=True, slots=True)
class SourcePolicy:
    media_roots: tuple[str, ...] = ()
    schemes: tuple[str, ...] = DEFAULT_SCHEMES
    allow_local: bool = False

    @classmethod
    def of(
        cls,
        media_roots: Sequence[str | Path] = (),
        schemes: Sequence[str] = (),
        allow_local: bool = False,
    ) -> SourcePolicy:
        return cls(
            tuple(str(r) for r in media_roots),
            tuple(s.lower() for s in schemes) or DEFAULT_SCHEMES,
            allow_local,
        )

    def check(self, site_id: str, source: str, base: Path | None = None) -> str:
        """``source`` as it is to be stored, or :class:`SourceRefused` if ``site_id``'s camera
        may not have it. A relative file path is taken from ``base`` (the site YAML's folder)
        and returned absolute, so that it is read from where it was checked."""
        if "://" in source:
            self._check_url(source)
            return source
        if source.startswith("/dev/"):
            if not self.allow_local:
                raise SourceRefused(
                    "source: capture devices need the server's --allow-local-sources"
                )
            return source
        return self._check_file(site_id, source, base)

    def _check_file(self, site_id: str, source: str, base: Path | None) -> str:
        roots = [_real(Path(r.replace("{site}", site_id)).expanduser()) for r in self.media_roots]
        path = _real((base or Path.cwd()) / Path(source).expanduser())
        if not any(path.is_relative_to(root) for root in roots):
            where = "the server's media roots" if roots else "a media root (none is configured)"
            raise SourceRefused(f"source: files must be under {where}")
        return str(path)

    def _check_url(self, source: str) -> None:
        try:
            parts = urlsplit(source)
            host, port = parts.hostname, parts.port
        except ValueError:
            raise SourceRefused(f"source: not a valid URL: {redact_url(source)[:120]}") from None
        scheme = parts.scheme.lower()
        if scheme not in self.schemes:
            allowed = ", ".join(self.schemes)
            raise SourceRefused(f"source: scheme {scheme!r} not allowed (allowed: {allowed})")
        if not host:
            raise SourceRefused("source: the URL has no host")
        if self.allow_local:
            return
        try:
            infos = socket.getaddrinfo(host, port or 0, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            raise SourceRefused(f"source: cannot resolve host {host[:80]!r}") from None
        for info in infos:
            if _local(str(info[4][0])):
                raise SourceRefused(
                    "source: this server and its local network addresses (loopback, link-local) "
                    "are not allowed as camera sources"
                )


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _local(address: str) -> bool:
    """Loopback, link-local, unspecified, multicast, or an address this host owns."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast:
        return True
    # An address we can bind to is one of ours (whatever the interfaces are called).
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.bind((str(ip), 0))
        return True
    return False


def source_for_reader(source: str | None) -> str | None:
    """A source as callers without the admin permission see it: a URL's scheme and host only,
    a file's name only (no folders, credentials or query)."""
    if source is None:
        return None
    if "://" in source:
        try:
            parts = urlsplit(source)
            host = parts.hostname or ""
            port = f":{parts.port}" if parts.port else ""
        except ValueError:
            return "(hidden)"
        return f"{parts.scheme}://{host}{port}/…"
    return Path(source).name or "(hidden)"
