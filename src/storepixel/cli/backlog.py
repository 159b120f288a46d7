"""``backlog run`` and ``backlog status``: DVR recordings analysed window by window.

Also :func:`run_batch`, which ``analyze`` uses for several files: it runs units on the chosen
engine and prints one line per outcome.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from storepixel.cli.support import err_console, one_line_errors
from storepixel.cli.web import DB_HELP
from storepixel.engine import ENGINES, Unit, UnitOutcome
from storepixel.errors import ConfigError
from storepixel.redact import redact_text

backlog_app = typer.Typer(
    no_args_is_help=True, help="Recordings on a DVR/NVR analysed window by window."
)

ENGINE_HELP = "Where units run: local (this process) or ray (a Ray cluster, storepixel[ray])."
RAY_ADDRESS_HELP = "Ray cluster address (default: start or join a local one)."


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root ``app``."""
    app.add_typer(backlog_app, name="backlog")


def check_engine(engine: str, address: str | None) -> None:
    """``--engine``/``--ray-address`` make sense together (checked before any work starts)."""
    if engine not in ENGINES:
        raise ConfigError(f"--engine must be {' or '.join(ENGINES)}, not {engine!r}")
    if address is not None and engine != "ray":
        raise ConfigError("--ray-address needs --engine ray")


def run_batch(
    units: Sequence[Unit],
    engine: str,
    address: str | None,
    *,
    retries: int = 1,
    on_outcome: Callable[[UnitOutcome], None] | None = None,
) -> list[UnitOutcome]:
    """Run ``units`` on ``engine``, printing ``key: detail`` as each finishes; the outcomes."""
    from storepixel.engine import run_units

    check_engine(engine, address)
    outcomes = []
    try:
        for outcome in run_units(units, engine=engine, address=address, retries=retries):
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
            mark = "ok" if outcome.ok else "FAILED"
            err_console.print(
                f"{mark} {outcome.key}: {redact_text(outcome.detail)}", soft_wrap=True
            )
    except ImportError as exc:  # the ray extra, or the engine module, is not installed
        raise ConfigError(
            f"--engine {engine} is not available here ({exc}); install storepixel[{engine}]"
        ) from None
    return outcomes


@backlog_app.command("run")
@one_line_errors
def backlog_run(
    site: Annotated[Path, typer.Option("--site", help="Site YAML (cameras with playback_url).")],
    frm: Annotated[
        str, typer.Option("--from", help="Start of the backlog, ISO-8601 (site time zone).")
    ],
    to: Annotated[str, typer.Option("--to", help="End of the backlog (exclusive).")],
    camera: Annotated[
        str | None,
        typer.Option("--camera", help="One camera (default: every camera with playback_url)."),
    ] = None,
    window: Annotated[
        str, typer.Option(help="Window length (15m, 90s, 1h): the unit of work and of retries.")
    ] = "15m",
    engine: Annotated[str, typer.Option(help=ENGINE_HELP)] = "local",
    ray_address: Annotated[str | None, typer.Option(help=RAY_ADDRESS_HELP)] = None,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    tries: Annotated[
        int, typer.Option(min=1, max=20, help="Connections tried per window before it fails.")
    ] = 3,
    retry_wait: Annotated[
        float,
        typer.Option(min=0.0, help="Seconds before the second try; doubled for each next one."),
    ] = 5.0,
    open_timeout: Annotated[
        float, typer.Option(min=0.5, help="Seconds to wait for the recorder to answer or send.")
    ] = 10.0,
) -> None:
    """Analyse a camera's recordings from --from to --to, window by window; resumable.

    The range is rounded out to whole windows (a fixed grid), so re-running the same command
    skips windows already done or without recording and retries failed or unfinished ones."""
    from storepixel.config.site import load_site
    from storepixel.pipeline.backlog import grid, parse_window, playback_cameras, window_units
    from storepixel.store import open_store
    from storepixel.store.backlog import FINAL, add_windows, finish_window, window_id, windows
    from storepixel.store.engine import worker_url
    from storepixel.timeutil import parse_when

    check_engine(engine, ray_address)
    site_config = load_site(site)
    tz = site_config.site.tz
    window_s = parse_window(window)
    start, end = parse_when(frm, tz, "--from"), parse_when(to, tz, "--to")
    cameras = playback_cameras(site_config, camera)
    planned = [(c.id, a, b) for c in cameras for a, b in grid(start, end, window_s)]
    url = worker_url(db)
    site_id = site_config.site.id
    with open_store(url) as store:
        add_windows(store, site_id, planned)
        status = {r["id"]: r["status"] for r in windows(store, site_id)}
        todo = [w for w in planned if status[window_id(site_id, *w)] not in FINAL]
        skipped = Counter(status[window_id(site_id, *w)] for w in planned if w not in todo)
        err_console.print(
            f"{len(planned)} windows of {window_s:g} s on {len(cameras)} camera(s): "
            f"{skipped['done']} done already, {skipped['no_recording']} without recording, "
            f"{len(todo)} to do → {store.url}",
            soft_wrap=True,
        )
        units = window_units(
            site_config,
            todo,
            url,
            tries=tries,
            retry_wait_s=retry_wait,
            open_timeout_s=open_timeout,
        )
        keys = {u.key: w for u, w in zip(units, todo, strict=True)}

        def settle(outcome: UnitOutcome) -> None:
            # A unit that raised (the engine gave up on it) never recorded its own outcome.
            if not outcome.ok and "failed" not in outcome.counts and outcome.key in keys:
                key = window_id(site_id, *keys[outcome.key])
                finish_window(store, key, "failed", reason=redact_text(outcome.detail)[:1000])

        outcomes = run_batch(units, engine, ray_address, on_outcome=settle)
    tally = Counter(k for o in outcomes for k in o.counts if k in ("done", "no_recording"))
    failed = sum(not o.ok for o in outcomes)
    new = sum(o.counts.get("events_new", 0) for o in outcomes)
    err_console.print(
        f"{tally['done']} done ({new} new events), {tally['no_recording']} without recording, "
        f"{failed} failed"
        + ("; run the same command again to retry the failed windows" if failed else ""),
        soft_wrap=True,
    )
    if failed:
        raise typer.Exit(1)


@backlog_app.command("status")
@one_line_errors
def backlog_status_cmd(
    site: Annotated[Path, typer.Option("--site", help="Site YAML.")],
    camera: Annotated[str | None, typer.Option("--camera", help="One camera only.")] = None,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    failures: Annotated[int, typer.Option(min=0, help="Failed windows to list.")] = 10,
) -> None:
    """Windows done, failed, pending and without recording, and the rate of the done ones."""
    from storepixel.config.site import load_site
    from storepixel.store import open_store
    from storepixel.store.backlog import backlog_status, windows
    from storepixel.timeutil import iso

    site_config = load_site(site)
    site_id = site_config.site.id
    if camera is not None:
        site_config.camera(camera)  # an unknown camera is an error, not "nothing yet"
    with open_store(db, create=False) as store:
        summary = backlog_status(store, site_id, camera)
        failed = [r for r in windows(store, site_id, camera) if r["status"] == "failed"]
    tz = site_config.site.tz
    listed: list[dict[str, Any]] = [
        {
            "camera": r["camera_id"],
            "start": iso(r["start_time"], tz),
            "attempts": r["attempts"],
            "reason": r["reason"],
        }
        for r in failed[:failures]
    ]
    if json_out:
        typer.echo(json.dumps({**summary, "failed_windows": listed}))
        return
    rate = summary["windows_per_minute"]
    speed = summary["footage_per_wall_s"]
    typer.echo(
        f"{summary['total']} windows: {summary['done']} done, {summary['failed']} failed, "
        f"{summary['pending']} pending, {summary['no_recording']} no recording; "
        f"{summary['footage_s']:.0f} s of footage, {summary['events']} events"
    )
    if rate is not None and speed is not None:
        typer.echo(
            f"rate: {rate:.2f} windows per minute, {speed:.2f} s of footage per wall-clock "
            f"second (over {summary['span_s']:.0f} s from the first start to the last finish)"
        )
    for row in listed:
        typer.echo(
            f"failed {row['camera']} {row['start']} after {row['attempts']} tries: {row['reason']}"
        )
