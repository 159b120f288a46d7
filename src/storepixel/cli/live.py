"""Commands for live cameras: ``run`` and ``doctor``."""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from storepixel.cli.support import one_line_errors

log = logging.getLogger("storepixel.run")


class LogFormat(StrEnum):
    text = "text"
    json = "json"


class Engine(StrEnum):
    local = "local"
    ray = "ray"


def _run_on_ray(
    site: Any,
    db: str | None,
    address: str | None,
    stop: threading.Event,
    duration: float | None,
    health_every: float,
) -> None:
    """The cameras as actors on a Ray cluster, until ``stop`` or ``duration``."""
    from storepixel.engine.ray_cameras import run_cameras_on_ray
    from storepixel.errors import StoreError
    from storepixel.store.engine import worker_url

    deadline = None if duration is None else time.monotonic() + duration

    def stopping(wait: float) -> bool:
        if deadline is not None:
            wait = min(wait, deadline - time.monotonic())
        return stop.wait(max(0.0, wait)) or (deadline is not None and time.monotonic() >= deadline)

    def on_health(h: dict[str, Any]) -> None:
        log.info("health", extra={k: v for k, v in h.items() if k in HEALTH_KEYS})

    errors = run_cameras_on_ray(
        site,
        worker_url(db),
        address=address,
        stop=stopping,
        health_every=health_every,
        on_health=on_health,
    )
    if errors:
        raise StoreError(f"the last results could not be stored: {errors[0]}")


HEALTH_KEYS = ("camera_id", "state", "failure", "frames", "reconnect_count", "node_id")


def _health_fields(h: Any) -> dict[str, Any]:
    return {
        "camera": h.camera_id,
        "state": h.state,
        "failure": h.failure,
        "input_fps": round(h.input_fps, 2),
        "analysed_fps": round(h.analysed_fps, 2),
        "dropped": h.dropped_frames,
        "reconnects": h.reconnect_count,
        "uptime_s": round(h.uptime_s, 1),
        "last_frame_time": h.last_frame_time,
    }


def run(
    site: Annotated[Path, typer.Option("--site", help="Site YAML (cameras, lines, zones).")],
    db: Annotated[str | None, typer.Option(help="Store URL (default: $STOREPIXEL_DB_URL).")] = None,
    log_format: Annotated[
        LogFormat, typer.Option("--log-format", help="text, or json (one object per line).")
    ] = LogFormat.text,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Analysis threads (default: two per CPU core)."),
    ] = None,
    health_every: Annotated[
        float, typer.Option("--health-every", min=1, help="Seconds between health log lines.")
    ] = 60.0,
    duration: Annotated[
        float | None, typer.Option("--duration", min=0.1, help="Stop after this many seconds.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logs.")] = False,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="local: every camera in this process; ray: each camera a restartable actor on "
            "a Ray cluster (the storepixel[ray] extra).",
        ),
    ] = Engine.local,
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address", help="Ray cluster to join (default: start one on this machine)."
        ),
    ] = None,
) -> None:
    """Run every camera of the site until SIGTERM/SIGINT, storing events as they happen."""
    from storepixel.config.site import load_site
    from storepixel.errors import StoreError
    from storepixel.pipeline.logs import setup_logging
    from storepixel.pipeline.supervisor import Supervisor
    from storepixel.store import open_store

    setup_logging(log_format.value, logging.DEBUG if verbose else logging.INFO)
    site_config = load_site(site)
    if engine is Engine.ray:
        from storepixel.engine.ray_engine import import_ray

        import_ray()  # before anything starts: a one-line error without the extra
    store = open_store(db)
    try:
        from storepixel.outputs.service import OutwardService

        outward = OutwardService(store, site_config)
        stop = threading.Event()
        if engine is Engine.local:
            supervisor = Supervisor(site_config, store, site_path=site, analysis_workers=workers)

        def _on_signal(signum: int, _frame: Any) -> None:
            log.info("signal received, stopping", extra={"signal": signal.Signals(signum).name})
            stop.set()
            signal.signal(signum, signal.SIG_DFL)  # a second signal ends the process at once

        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
        outward.start()
        if engine is Engine.ray:
            _run_on_ray(site_config, db, ray_address, stop, duration, health_every)
            left = outward.stop()
            if left:
                log.warning("%d message(s) wait in the outbox for the next run", left)
            log.info("stopped cleanly")
            return
        supervisor.start()
        log.info(
            "running",
            extra={
                "site": site_config.site.id,
                "cameras": ",".join(supervisor.camera_ids()),
                "store": store.url,
                "workers": supervisor.analysis_workers,
            },
        )
        deadline = None if duration is None else time.monotonic() + duration
        while not stop.is_set():
            wait = health_every
            if deadline is not None:
                wait = min(wait, deadline - time.monotonic())
            if stop.wait(max(0.0, wait)):
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
            for h in supervisor.health().values():
                log.info("health", extra=_health_fields(h))
        supervisor.stop()
        left = outward.stop()
        if left:
            log.warning("%d message(s) wait in the outbox for the next run", left)
        for h in supervisor.health().values():
            log.info("final health", extra=_health_fields(h))
        if supervisor.last_write_error is not None:
            raise StoreError(f"the last results could not be stored: {supervisor.last_write_error}")
    finally:
        store.close()
    log.info("stopped cleanly")


def doctor(
    site: Annotated[Path, typer.Option("--site", help="Site YAML to check.")],
    db: Annotated[str | None, typer.Option(help="Store URL (default: $STOREPIXEL_DB_URL).")] = None,
    no_db: Annotated[bool, typer.Option("--no-db", help="Do not check the store.")] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.5, help="Seconds allowed per camera.")
    ] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Check the site config, detector, store and each camera (reachable, codec, size, fps)."""
    from rich.console import Console
    from rich.table import Table

    from storepixel.config.site import load_site
    from storepixel.pipeline.doctor import diagnose

    site_config = load_site(site)
    checks = diagnose(
        site_config, site_path=site, store_url=db, check_db=not no_db, timeout_s=timeout
    )
    failed = [c for c in checks if c.status == "fail"]
    if as_json:
        typer.echo(json.dumps([asdict(c) for c in checks], indent=2))
    else:
        table = Table(title=f"storepixel doctor · {site}")
        for col in ("check", "status", "source", "codec", "size", "fps", "detail"):
            table.add_column(col, overflow="fold")
        colour = {"ok": "green", "warn": "yellow", "fail": "bold red"}
        for c in checks:
            status = f"[{colour[c.status]}]{c.status}[/]"
            table.add_row(c.subject, status, c.source, c.codec, c.resolution, c.fps, c.detail)
        Console(soft_wrap=False, width=160).print(table)
        typer.echo(f"{len(failed)} check(s) failed" if failed else "all checks passed")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root ``app``."""
    app.command("run")(one_line_errors(run))
    app.command("doctor")(one_line_errors(doctor))
