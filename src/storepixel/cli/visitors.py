"""``storepixel visitors``: the opt-in face features of a site (see docs/visitors.md) — the site
key, aggregate age/gender counts, return rates, and deleting a visitor on request (audited)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from storepixel.cli.support import one_line_errors

if TYPE_CHECKING:
    from storepixel.config.site import SiteConfig
    from storepixel.store import Store

SITE = Annotated[Path, typer.Option("--site", help="Site YAML.")]
DB = Annotated[str | None, typer.Option(help="Store URL (default: $STOREPIXEL_DB_URL).")]
JSON = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ACTOR = Annotated[
    str | None, typer.Option("--by", help="Who asks, for the audit log (default: OS user).")
]

visitors_app = typer.Typer(
    no_args_is_help=True,
    help="Opt-in face features: site key, age/gender counts, return rates, delete a visitor.",
)


def _open(site: Path, db: str | None) -> tuple[SiteConfig, Store]:
    from storepixel.config.site import load_site
    from storepixel.store import open_store

    return load_site(site), open_store(db)


def _print(rows: list[dict[str, Any]], as_json: bool, line: Any) -> None:
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(line(row))


@visitors_app.command("keygen")
@one_line_errors
def keygen(site: SITE, db: DB = None, by: ACTOR = None) -> None:
    """Create the site key that encrypts visitor descriptors (once; audited). Keep a copy
    somewhere safe: without it the stored descriptors cannot be read."""
    from storepixel.faces.keys import create_key, key_id
    from storepixel.store.accounts import audit

    config, store = _open(site, db)
    path = config.faces.key_path(config.site.id, config.path)
    key = create_key(path)
    with store:
        audit(store, by or getpass.getuser(), "faces.keygen", config.site.id, {"key": key_id(key)})
    typer.echo(f"wrote the visitor key of site {config.site.id} to {path} (mode 0600)")


@visitors_app.command("attributes")
@one_line_errors
def attributes(
    site: SITE,
    db: DB = None,
    camera: Annotated[str | None, typer.Option(help="Only this camera.")] = None,
    as_json: JSON = False,
) -> None:
    """Visits per age band and gender, per camera, zone and hour; groups from fewer than the
    site's faces.min_count people are suppressed."""
    from storepixel.store.faces import attribute_counts

    config, store = _open(site, db)
    if camera is not None:
        config.camera(camera)
    with store:
        rows = attribute_counts(
            store, config.site.id, min_count=config.faces.min_count, camera_id=camera
        )

    def line(r: dict[str, Any]) -> str:
        what = "suppressed" if r["suppressed"] else json.dumps(r["values"])
        return f"{r['hour_start']} {r['camera_id']}/{r['zone_id']} {r['attribute']}: {what}"

    _print(rows, as_json, line)


@visitors_app.command("rate")
@one_line_errors
def rate(
    site: SITE,
    db: DB = None,
    week: Annotated[bool, typer.Option("--week", help="Per week (default: per day).")] = False,
    as_json: JSON = False,
) -> None:
    """Return rate per local day (or week): visitors seen then who had been seen before."""
    from storepixel.store.faces import return_rates

    config, store = _open(site, db)
    with store:
        rows = return_rates(
            store,
            config.site.id,
            config.site.tz,
            "week" if week else "day",
            min_count=config.faces.min_count,
        )

    def line(r: dict[str, Any]) -> str:
        if r["suppressed"]:
            return f"{r['start'][:10]}: suppressed (fewer than {config.faces.min_count} visitors)"
        return f"{r['start'][:10]}: {r['returning']}/{r['visitors']} returning ({r['rate']:.0%})"

    _print(rows, as_json, line)


@visitors_app.command("delete")
@one_line_errors
def delete(
    visitor: Annotated[str, typer.Argument(help="The visitor id.")],
    site: SITE,
    db: DB = None,
    by: ACTOR = None,
) -> None:
    """Delete one visitor's descriptor and visits now (a data-subject request; audited)."""
    from storepixel.store.faces import delete_visitor

    config, store = _open(site, db)
    with store:
        counts = delete_visitor(store, config.site.id, visitor, actor=by or getpass.getuser())
    typer.echo(f"deleted visitor {visitor}: {counts}")


def register(app: typer.Typer) -> None:
    app.add_typer(visitors_app, name="visitors")
