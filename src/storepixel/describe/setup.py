"""Building the describer from a site, and the checks that run when it is built and in
``storepixel doctor``: a provider named, its SDK installed, its API key set, its server reachable.
Each failure is one line (``ConfigError``) naming what to fix.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from storepixel.config.describe import DescribeConfig
from storepixel.config.site import CameraConfig, SiteConfig
from storepixel.describe.feed import DescribeFeed
from storepixel.describe.providers import api_key, make_provider
from storepixel.describe.service import Describer
from storepixel.errors import ConfigError
from storepixel.events.bus import EventBus
from storepixel.store import Store
from storepixel.types import Event

DEFAULT_HOSTS = {
    "gemini": "https://generativelanguage.googleapis.com",
    "openai": "https://api.openai.com",
}


def reachable(base_url: str, timeout_s: float = 3.0) -> str | None:
    """``None`` if a TCP connection to ``base_url``'s host and port opens; else why not."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"describe.base_url {base_url!r} is not an http(s) URL"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout_s):
            return None
    except OSError as err:
        reason = err.strerror or type(err).__name__
        return (
            f"describe.base_url {parts.scheme}://{parts.hostname}:{port} is unreachable: {reason}"
        )


def check(config: DescribeConfig, *, network: bool = True) -> None:
    """Raise ``ConfigError`` if ``config`` cannot describe anything as it stands."""
    if not config.enabled:
        raise ConfigError("describe.provider is none: set describe.provider to gemini or openai")
    api_key(config)
    make_provider(config)  # the SDK is installed and accepts the settings
    if network:
        problem = reachable(config.base_url or DEFAULT_HOSTS[config.provider])
        if problem:
            raise ConfigError(problem)


def describer_for(
    site: SiteConfig,
    camera_ids: list[str],
    store: Store,
    *,
    on_events: Callable[[list[Event]], object] | None = None,
    network_check: bool = True,
) -> Describer:
    """A describer for these cameras of ``site``, after checking each camera's settings."""
    configs = [site.describe_for(c) for c in camera_ids]
    for camera_id, config in zip(camera_ids, configs, strict=True):
        try:
            check(config, network=network_check)
        except ConfigError as err:
            raise ConfigError(f"camera {camera_id}: {err}") from None
    from storepixel.engine.ray_limits import cluster_limits

    # On a Ray cluster every worker's describer shares the site's one set of limits.
    url = store.engine.url.render_as_string(hide_password=False)
    return Describer(
        store,
        site.site.id,
        site.site.tz,
        on_events=on_events,
        concurrency=max(c.concurrency for c in configs),
        limits=cluster_limits(site.site.id, url, site.site.timezone),
    )


def file_feed(site: SiteConfig, camera: CameraConfig, bus: EventBus, source: str) -> DescribeFeed:
    """A describe feed for one video file (``analyze --describe``, uploads): checks the settings
    first (``ConfigError``), stores into the bus's store and publishes alerts on ``bus``."""
    if bus.store is None:
        raise ConfigError("describe needs a store to record chunks in")
    describer = describer_for(site, [camera.id], bus.store, on_events=bus.publish)
    return DescribeFeed(describer, camera, site.describe_for(camera.id), source=source)


def finish_file_feed(feed: DescribeFeed, timeout_s: float = 600.0) -> dict[str, int]:
    """Close the last chunk, wait (up to ``timeout_s``) for the queue, stop the workers; how
    many chunks ended in each state, and ``alerts``. What is left stays recorded as waiting."""
    feed.finish()
    describer = feed.describer
    describer.wait_idle(timeout_s)
    describer.close(timeout=0)
    counts: dict[str, int] = {"chunks": len(feed.chunks), "alerts": 0}
    for outcome in describer.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        counts["alerts"] += outcome.alerts
    return counts
