"""Commands about describing people-chunks: ``descriptions list``, ``describe usage``, ``cost``;
and the helpers ``analyze --describe`` uses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from storepixel.cli.support import err_console, one_line_errors

if TYPE_CHECKING:
    from storepixel.config.site import CameraConfig, SiteConfig
    from storepixel.describe.feed import DescribeFeed
    from storepixel.events.bus import EventBus

descriptions_app = typer.Typer(no_args_is_help=True, help="Read stored chunk descriptions.")
describe_app = typer.Typer(no_args_is_help=True, help="Describe people-chunks: usage and costs.")

DB = Annotated[str | None, typer.Option(help="Store URL (default: $STOREPIXEL_DB_URL).")]
DRAIN_TIMEOUT_S = 600.0  # analyze --describe waits this long for the last chunks at most


def register(app: typer.Typer) -> None:
    app.add_typer(descriptions_app, name="descriptions")
    app.add_typer(describe_app, name="describe")
    app.command("cost")(cost)


def start_describe(
    site: SiteConfig, camera: CameraConfig, bus: EventBus, source: str
) -> DescribeFeed:
    """A describe feed for ``analyze --describe`` (checks the settings first: one-line errors).
    Its alerts are published on ``bus`` (stored first, then every consumer)."""
    from storepixel.describe.feed import DescribeFeed
    from storepixel.describe.setup import describer_for

    assert bus.store is not None
    describer = describer_for(site, [camera.id], bus.store, on_events=bus.publish)
    return DescribeFeed(describer, camera, site.describe_for(camera.id), source=source)


def finish_describe(feed: DescribeFeed) -> None:
    """Close the last chunk, wait for the queue, say how the chunks ended."""
    feed.finish()
    describer = feed.describer
    if not describer.wait_idle(DRAIN_TIMEOUT_S):
        err_console.print("warning: describe still busy; the rest stays queued as waiting")
    describer.close(timeout=0)
    counts: dict[str, int] = {}
    for outcome in describer.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    alerts = sum(o.alerts for o in describer.outcomes)
    text = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none"
    err_console.print(
        f"described {len(feed.chunks)} people-chunks: {text}; {alerts} alerts", highlight=False
    )
    if counts.get("waiting"):
        err_console.print(
            "waiting chunks (over budget or provider down) are described when the same file is "
            "analysed again with --describe",
            highlight=False,
        )


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds")


def _parse_since(value: str | None) -> float | None:
    from storepixel.store.queries import to_posix

    return None if value is None else to_posix(value, "--since")


def chunk_json(row: dict[str, Any]) -> dict[str, Any]:
    """A stored chunk as the CLI and API show it (times ISO-8601 UTC)."""
    return {
        "id": row["id"],
        "site_id": row["site_id"],
        "camera_id": row["camera_id"],
        "start": _iso(row["start_time"]),
        "end": _iso(row["end_time"]),
        "status": row["status"],
        "reason": row["reason"],
        "provider": row["provider"],
        "model": row["model"],
        "prompt_version": row["prompt_version"],
        "tokens_in": row["tokens_in"],
        "tokens_out": row["tokens_out"],
        "cost": row["cost"],
        "summary": row["summary"],
        "observations": row["observations"],
        "people": row["people"],
        "items": [{**i, "time": _iso(i["time"])} for i in row["items"]],
        "alerts": [{**a, "time": _iso(a["time"])} for a in row["alerts"]],
        "flags": row["flags"],
        "track_ids": row["track_ids"],
        "frame_times": [_iso(t) for t in row["frame_times"]],
    }


@descriptions_app.command("list")
@one_line_errors
def descriptions_list(
    db: DB = None,
    camera: Annotated[str | None, typer.Option(help="Only this camera.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Chunks ending at or after this ISO time.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    site: Annotated[str | None, typer.Option(help="Only this site id.")] = None,
) -> None:
    """People-chunks and what the model said about them, in capture-time order."""
    from storepixel.store import open_store
    from storepixel.store.descriptions import list_chunks

    with open_store(db) as store:
        rows = list_chunks(store, site_id=site, camera_id=camera, since=_parse_since(since))
    if json_out:
        typer.echo(json.dumps([chunk_json(r) for r in rows]))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} chunks")
    for column in ("camera", "start (UTC)", "s", "status", "tokens", "summary / reason", "alerts"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["camera_id"],
            _iso(r["start_time"]) or "",
            f"{r['end_time'] - r['start_time']:.1f}",
            r["status"],
            str(r["tokens_in"] + r["tokens_out"]),
            (r["summary"] or r["reason"] or "")[:120],
            "; ".join(f"{a['severity']} {a['kind']}: {a['reason']}" for a in r["alerts"])[:120],
        )
    Console().print(table)


@describe_app.command("usage")
@one_line_errors
def describe_usage(
    db: DB = None,
    site: Annotated[Path | None, typer.Option(help="Site YAML: days in its time zone.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The request ledger by day, camera and model: requests, tokens, cost, latency."""
    from zoneinfo import ZoneInfo

    from storepixel.config.site import load_site
    from storepixel.store import open_store
    from storepixel.store.descriptions import usage

    tz, site_id = ZoneInfo("UTC"), None
    if site is not None:
        config = load_site(site)
        tz, site_id = config.site.tz, config.site.id
    with open_store(db) as store:
        rows = usage(store, tz, site_id)
    if json_out:
        typer.echo(json.dumps(rows))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="describe usage")
    for column in (
        "day",
        "camera",
        "model",
        "requests",
        "ok",
        "tokens in",
        "tokens out",
        "$",
        "s/req",
    ):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["day"],
            r["camera_id"],
            r["model"],
            str(r["requests"]),
            str(r["ok"]),
            str(r["tokens_in"]),
            str(r["tokens_out"]),
            f"{r['cost']:.5f}",
            f"{r['latency_s']:.2f}",
        )
    Console().print(table)


@one_line_errors
def cost(
    site: Annotated[Path, typer.Option("--site", help="Site YAML.")],
    db: DB = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Tokens and money per camera per day from measured occupancy, beside the reference
    estimate (1 fps of all analysed hours at 66 tokens a frame, $0.15 per million)."""
    from storepixel.config.site import load_site
    from storepixel.describe.cost import cost_table
    from storepixel.store import open_store

    config = load_site(site)
    with open_store(db) as store:
        rows = cost_table(store, config)
    if json_out:
        typer.echo(json.dumps(rows))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"describe cost, site {config.site.id} (reference: 1 fps × 66 tokens)")
    columns = (
        "day",
        "camera",
        "open h",
        "people h",
        "tokens est",
        "$ est",
        "spent tokens",
        "spent $",
        "reference tokens",
        "reference $",
    )
    for column in columns:
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["day"],
            r["camera_id"],
            f"{r['open_h']:.2f}",
            f"{r['people_h']:.2f}",
            str(r["tokens_est"]),
            f"{r['cost_est']:.4f}",
            str(r["spent_tokens"]),
            f"{r['spent_cost']:.4f}",
            str(r["reference_tokens"]),
            f"{r['reference_cost']:.4f}",
        )
    Console().print(table)
