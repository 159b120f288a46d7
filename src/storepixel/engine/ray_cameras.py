"""Live cameras on a Ray cluster (``storepixel run --engine ray``): one actor per camera.

Each camera is a named actor (``camera:SITE:CAMERA``): Ray never lets two actors share a name, so
a camera runs on exactly one node at a time, and a second ``run`` of the same site on the cluster
is refused rather than doubling the counts. Actors are spread over the nodes and restartable
(``max_restarts``): when a node dies, Ray starts the camera again on another node, where it
reconnects to the camera and goes on writing to the same store. What the lost node had analysed
but not yet written (at most about a second, the writer's flush interval) is lost with it; nothing
is written twice, because a camera's events only ever come from its one actor.

Inside the actor the camera runs in the ordinary :class:`~storepixel.pipeline.supervisor.
Supervisor`, over a site config holding only that camera.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from storepixel.config.site import SiteConfig
from storepixel.engine.ray_engine import NAMESPACE, connected

log = logging.getLogger("storepixel.run")


class CameraActor:
    """One camera of a site, on whichever node Ray placed (or re-placed) it."""

    def __init__(self, site: SiteConfig, camera_id: str, store_url: str) -> None:
        from storepixel.pipeline.supervisor import Supervisor
        from storepixel.store import open_store

        one = site.model_copy(update={"cameras": [site.camera(camera_id)]})
        self.camera_id = camera_id
        self.store = open_store(store_url)
        self.supervisor = Supervisor(one, self.store, analysis_workers=1)
        self.supervisor.start()

    def health(self) -> dict[str, Any]:
        """The camera's capture health, and the node it runs on."""
        import ray

        health = asdict(self.supervisor.health()[self.camera_id])
        health["node_id"] = ray.get_runtime_context().get_node_id()
        return health

    def stop(self) -> str | None:
        """Stop capturing and write everything; the last store error, if any."""
        self.supervisor.stop()
        self.store.close()
        return self.supervisor.last_write_error


def actor_name(site_id: str, camera_id: str) -> str:
    return f"camera:{site_id}:{camera_id}"


def start_cameras(ray: Any, site: SiteConfig, store_url: str, cpus: float = 1.0) -> dict[str, Any]:
    """One restartable actor per camera, spread over the nodes."""
    from storepixel.errors import ConfigError

    remote = ray.remote(CameraActor)
    actors: dict[str, Any] = {}
    for camera in site.cameras:
        name = actor_name(site.site.id, camera.id)
        try:
            ray.get_actor(name, namespace=NAMESPACE)
        except ValueError:
            pass
        else:
            raise ConfigError(f"camera {camera.id} of {site.site.id} already runs on this cluster")
        actors[camera.id] = remote.options(
            name=name,
            namespace=NAMESPACE,
            num_cpus=cpus,
            max_restarts=-1,  # as often as nodes die
            max_task_retries=-1,  # a health call caught by a restart is answered after it
            scheduling_strategy="SPREAD",
        ).remote(site, camera.id, store_url)
    return actors


def run_cameras_on_ray(
    site: SiteConfig,
    store_url: str,
    *,
    address: str | None,
    stop: Callable[[float], bool],
    health_every: float = 60.0,
    on_health: Callable[[dict[str, Any]], None] | None = None,
) -> list[str]:
    """Run every camera of ``site`` as actors until ``stop(timeout)`` returns True; the store
    errors the cameras reported when they stopped."""
    from storepixel.redact import redact_url

    with connected(address) as ray:
        actors = start_cameras(ray, site, store_url)
        log.info(
            "running on ray",
            extra={
                "site": site.site.id,
                "cameras": ",".join(actors),
                "store": redact_url(store_url),
            },
        )
        try:
            while not stop(health_every):
                for camera_id, actor in actors.items():
                    try:
                        health = ray.get(actor.health.remote(), timeout=30)
                    except Exception as err:  # restarting: say so and ask again next time
                        health = {"camera_id": camera_id, "state": "restarting", "failure": None}
                        log.warning("camera %s: %s", camera_id, str(err).splitlines()[0])
                    if on_health is not None:
                        on_health(health)
        finally:
            errors = []
            for camera_id, actor in actors.items():
                try:
                    error = ray.get(actor.stop.remote(), timeout=60)
                except Exception as err:
                    error = f"camera {camera_id} did not stop cleanly: {str(err).splitlines()[0]}"
                if error:
                    errors.append(error)
                ray.kill(actor, no_restart=True)  # frees the name for the next run
    return errors
