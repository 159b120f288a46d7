"""Commands about describing people-chunks: ``descriptions list``, ``describe usage``, ``cost``;
and the helpers ``analyze --describe`` uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from storepixel.cli.support import err_console, one_line_errors

if TYPE_CHECKING:
    from storepixel.describe.feed import DescribeFeed

descriptions_app = typer.Typer(no_args_is_help=True, help="Read stored chunk descriptions.")
describe_app = typer.Typer(no_args_is_help=True, help="Describe people-chunks: usage and costs.")

DB = Annotated[str | None, typer.Option(help="Store URL (default: $STOREPIXEL_DB_URL).")]
DRAIN_TIMEOUT_S = 600.0  # analyze --describe waits this long for the last chunks at most


def register(app: typer.Typer) -> None:
    app.add_typer(descriptions_app, name="descriptions")
    app.add_typer(describe_app, name="describe")
    app.command("cost")(cost)


def finish_describe(feed: DescribeFeed) -> None:
    """Wait for the last chunks and say how they ended."""
    from storepixel.describe.setup import finish_file_feed

    counts = finish_file_feed(feed, DRAIN_TIMEOUT_S)
    states = ", ".join(
        f"{counts[s]} {s}" for s in ("done", "failed", "waiting", "skipped") if counts.get(s)
    )
    err_console.print(
        f"described {counts['chunks']} people-chunks: {states or 'none'}; "
        f"{counts['alerts']} alerts",
        highlight=False,
    )
    if counts.get("waiting"):
        err_console.print(
            "waiting chunks (over budget or provider down) are described when the same file is "
            "analysed again with --describe",
            highlight=False,
        )


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
    from storepixel.store.descriptions import chunk_json, list_chunks
    from storepixel.store.queries import to_posix

    with open_store(db, create=False) as store:
        rows = list_chunks(
            store,
            site_id=site,
            camera_id=camera,
            since=None if since is None else to_posix(since, "--since"),
        )
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
            chunk_json(r)["start"] or "",
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
    with open_store(db, create=False) as store:
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


@describe_app.command("resume")
@one_line_errors
def describe_resume(
    site: Annotated[Path, typer.Option("--site", help="Site YAML.")],
    db: DB = None,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the chunks to be described.")
    ] = DRAIN_TIMEOUT_S,
) -> None:
    """Describe the chunks left waiting (over budget, provider down) by a stopped process, now.
    ``run`` and ``serve --run`` do this on start by themselves."""
    from storepixel.config.site import load_site
    from storepixel.describe.feed import camera_context
    from storepixel.describe.live import describing_cameras
    from storepixel.describe.setup import describer_for
    from storepixel.store import open_store

    config = load_site(site)
    cameras = describing_cameras(config)
    with open_store(db, create=False) as store:
        describer = describer_for(config, cameras, store)
        counts = describer.resume({c: camera_context(config, c) for c in cameras})
        describer.wait_idle(timeout)
        describer.close(timeout=0)
    ended: dict[str, int] = {}
    for outcome in describer.outcomes:
        ended[outcome.status] = ended.get(outcome.status, 0) + 1
    states = ", ".join(f"{n} {s}" for s, n in sorted(ended.items())) or "none sent"
    err_console.print(f"resumed {counts['resumed']} waiting chunks: {states}", highlight=False)
    if counts["failed"]:
        err_console.print(
            f"{counts['failed']} live chunks could not be resumed: their pictures were not kept "
            "(describe.media.store is off); marked failed",
            highlight=False,
        )
    if counts["needs_file"]:
        err_console.print(
            f"{counts['needs_file']} chunks from files wait for their file to be analysed again "
            "with --describe",
            highlight=False,
        )


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
    with open_store(db, create=False) as store:
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
