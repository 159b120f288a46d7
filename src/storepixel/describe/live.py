"""Live cameras (``run``, ``serve --run``): a bus consumer that feeds each describing camera's
frames (already privacy-masked by the supervisor) to its people-chunker and submits every chunk
as it closes, so a description is stored seconds after the people leave (or after
``max_chunk_s`` of a long stay). Alerts go back on the bus as ``vlm_alert`` events.

It runs on the bus's consumer thread: counting never waits for it. If that thread falls behind,
the bus drops frames for it alone; a chunk then has fewer candidate frames, never a wrong time.
On start it queues again the chunks a stopped run left waiting (``Describer.resume``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from storepixel.describe.feed import DescribeFeed
from storepixel.describe.setup import describer_for

if TYPE_CHECKING:
    from storepixel.config.site import SiteConfig
    from storepixel.events.bus import EventBus
    from storepixel.store import Store

log = logging.getLogger(__name__)
CLOSE_WAIT_S = 30.0  # on shutdown, chunks still being described get this long


def describing_cameras(site: SiteConfig) -> list[str]:
    return [c.id for c in site.cameras if site.describe_for(c.id).enabled]


class LiveDescriber:
    """One per site's live bus; ``None`` from :meth:`for_site` when no camera describes."""

    def __init__(self, site: SiteConfig, store: Store, bus: EventBus, run_anchor: float) -> None:
        cameras = describing_cameras(site)
        self.describer = describer_for(site, cameras, store, on_events=bus.publish)
        self.feeds = {
            cid: DescribeFeed(
                self.describer,
                site.camera(cid),
                site.describe_for(cid),
                run_anchor=run_anchor,
                source="live",
            )
            for cid in cameras
        }
        # Chunks a stopped run left waiting (provider down, over budget) go first.
        self.describer.resume({cid: feed.context for cid, feed in self.feeds.items()})

    @classmethod
    def attach(
        cls, site: SiteConfig, store: Store, bus: EventBus, run_anchor: float
    ) -> LiveDescriber | None:
        """Subscribe a live describer to ``bus`` if any camera of ``site`` describes. Settings
        are checked here (``ConfigError``: no key, unreachable server) before any camera runs."""
        if not describing_cameras(site):
            return None
        consumer = cls(site, store, bus, run_anchor)
        bus.subscribe(consumer)
        return consumer

    def write_frame(self, camera_id: str, result: Any, counts: Mapping[str, Any]) -> None:
        feed = self.feeds.get(camera_id)
        if feed is not None:
            feed.observe([result])

    def close(self) -> None:
        for feed in self.feeds.values():
            feed.finish()
        if not self.describer.wait_idle(CLOSE_WAIT_S):
            log.warning("describe: chunks still being described at shutdown stay waiting")
        self.describer.close(timeout=0)
