"""``shelves``: import a planogram into a site, read the shelf funnel from the store."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from storepixel.cli.support import err_console, one_line_errors

shelves_app = typer.Typer(no_args_is_help=True, help="Shelves: planogram and funnel.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root ``app``."""
    app.add_typer(shelves_app, name="shelves")


@shelves_app.command("import")
@one_line_errors
def shelves_import(
    site: Annotated[Path, typer.Argument(help="Site YAML whose shelves are drawn.")],
    planogram: Annotated[
        Path, typer.Argument(help="CSV: camera, shelf, product, brand, category.")
    ],
) -> None:
    """Set each shelf's product, brand and category from a planogram CSV (all rows checked
    first: on any problem the site file is left as it was)."""
    from storepixel.config.planogram import apply_planogram, read_planogram
    from storepixel.config.registry import write_atomically
    from storepixel.config.site import load_site

    config = load_site(site)
    text = read_planogram(planogram)
    updated = apply_planogram(config, text, source=str(planogram))
    write_atomically(updated, site)  # a crash never leaves half a file
    rows = sum(1 for _ in csv.DictReader(text.splitlines()))
    err_console.print(f"{rows} shelves updated from {planogram} → {site}", highlight=False)


@shelves_app.command("funnel")
@one_line_errors
def shelves_funnel(
    site: Annotated[Path, typer.Option("--site", help="Site YAML (shelves, time zone).")],
    by: Annotated[str, typer.Option(help="Group by shelf, brand or category.")] = "shelf",
    frm: Annotated[
        str | None, typer.Option("--from", help="ISO-8601 start (default: today, site time).")
    ] = None,
    to: Annotated[str | None, typer.Option(help="ISO-8601 end (exclusive).")] = None,
    camera: Annotated[str | None, typer.Option(help="Only this camera.")] = None,
    db: Annotated[str | None, typer.Option(help="Store URL (default: $STOREPIXEL_DB_URL).")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Passers → stoppers → reachers per shelf, brand or category and hour, from the store."""
    from storepixel.config.site import load_site
    from storepixel.errors import ConfigError
    from storepixel.store import open_store
    from storepixel.store.shelves import funnel_report
    from storepixel.timeutil import time_range

    if by not in ("shelf", "brand", "category"):
        raise ConfigError(f"--by: expected shelf, brand or category, got {by!r}")
    if format not in ("table", "csv", "json"):
        raise ConfigError(f"--format: expected table, csv or json, got {format!r}")
    config = load_site(site)
    if camera is not None:
        config.camera(camera)
    lo, hi = time_range(frm, to, config.site.tz)
    with open_store(db) as store:
        report = funnel_report(store, config, lo, hi, by=by, camera=camera)  # type: ignore[arg-type]
    rows = report["rows"]
    if format == "json":
        print(json.dumps(report, indent=2))
        return
    columns = ["group", "start", "passers", "stoppers", "reachers", "touches", "attention_p50_s",
               "attention_p90_s", "pass_to_stop", "stop_to_reach", "no_data"]  # fmt: skip
    if format == "csv":
        writer = csv.DictWriter(sys.stdout, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    print("  ".join(f"{c:>15}" for c in columns))
    for r in rows:
        cells = [
            "no data" if r["no_data"] and c not in ("group", "start") else r[c] for c in columns
        ]
        print("  ".join(f"{'' if v is None else v!s:>15}" for v in cells))
