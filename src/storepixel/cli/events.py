"""``events``: read the event store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storepixel.cli.support import err_console, one_line_errors

events_app = typer.Typer(no_args_is_help=True, help="Read the event store.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root ``app``."""
    app.add_typer(events_app, name="events")


@events_app.command("export")
@one_line_errors
def events_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write; '-' for stdout.")] = Path(
        "-"
    ),
    format: Annotated[str, typer.Option("--format", "-f", help="csv, jsonl or parquet.")] = "jsonl",
    db: Annotated[str | None, typer.Option(help="Store URL (default: $STOREPIXEL_DB_URL).")] = None,
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    camera: Annotated[str | None, typer.Option(help="Only this camera.")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Only these event kinds.")] = None,
    start: Annotated[str | None, typer.Option(help="From this ISO-8601 time (inclusive).")] = None,
    end: Annotated[str | None, typer.Option(help="Until this ISO-8601 time (exclusive).")] = None,
) -> None:
    """Export stored events as CSV, JSON lines or Parquet."""
    from storepixel.store import open_store
    from storepixel.store.export import export_events

    with open_store(db, create=False) as store:
        n = export_events(
            store,
            "-" if str(out) == "-" else out,
            format,  # type: ignore[arg-type]  # validated by export_events
            site_id=site,
            camera_id=camera,
            kinds=kind or None,
            start=start,
            end=end,
        )
    if str(out) != "-":
        err_console.print(f"{n} events → {out}", highlight=False)
