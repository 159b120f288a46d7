"""``search`` and ``summary``: find moments in what was analysed; write the day's narrative."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from storepixel.cli.support import err_console, one_line_errors

if TYPE_CHECKING:
    from storepixel.search.engine import SearchSite
    from storepixel.search.service import SearchService

DB_HELP = "Store URL (default: $STOREPIXEL_DB_URL)."


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root ``app``."""
    app.command("search")(search)
    app.command("summary")(summary)


def _is_yaml(site: str | None) -> bool:
    return site is not None and (site.endswith((".yaml", ".yml")) or Path(site).is_file())


def resolve_site(site: str | None, service: SearchService) -> SearchSite:
    """``--site`` as a site YAML (time zone, cameras and zones known) or a site id (UTC)."""
    from zoneinfo import ZoneInfo

    from storepixel.config.site import load_site
    from storepixel.search.engine import QueryError, SearchSite

    if _is_yaml(site):
        cfg = load_site(site)  # type: ignore[arg-type]
        scopes = {z.id for cam in cfg.cameras for z in cam.zones} | {
            ln.id for cam in cfg.cameras for ln in cam.lines
        }
        return SearchSite(
            cfg.site.id,
            cfg.site.tz,
            cameras={c.id for c in cfg.cameras},
            scopes=scopes | service.scopes(cfg.site.id),
        )
    if site is None:
        known = sorted(set(service.index.sites()) | service.store_sites())
        if len(known) != 1:
            raise QueryError(
                "which site? give --site (a site YAML or id); the store holds "
                + (", ".join(known) if known else "no analysed site yet")
            )
        site = known[0]
    return SearchSite(site, ZoneInfo("UTC"), cameras=None, scopes=service.scopes(site))


@one_line_errors
def search(
    query: Annotated[str, typer.Argument(help='What to look for, e.g. "queue at the till".')],
    site: Annotated[
        str | None, typer.Option(help="Site YAML (its time zone, cameras, zones) or site id.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="From this time: ISO-8601 or words ('yesterday 6 pm').")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Until this time (same forms).")] = None,
    camera: Annotated[str | None, typer.Option(help="Only this camera.")] = None,
    zone: Annotated[str | None, typer.Option(help="Only this zone, line or shelf.")] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="Only these kinds (zone_exit, session…); repeat.")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many hits.", min=1, max=100)] = 10,
    mode: Annotated[str, typer.Option(help="fused (default), text or vector.")] = "fused",
    json_out: Annotated[bool, typer.Option("--json", help="Print the hits as JSON.")] = False,
    reindex: Annotated[
        bool, typer.Option(help="Index everything stored first (after re-analysing old footage).")
    ] = False,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """Search what happened: events, hourly sessions, descriptions and summaries, by meaning."""
    from storepixel.search.engine import MODES, Plan, QueryError, SearchSite, plan, result_json
    from storepixel.search.kinds import known_kinds
    from storepixel.search.service import SearchService, require_extra
    from storepixel.store import open_store

    require_extra()
    if mode not in MODES:
        raise QueryError(f"--mode must be one of {', '.join(MODES)}, got {mode!r}")
    with open_store(db) as store:
        service = SearchService(store)
        try:
            where = resolve_site(site, service)

            def make(where: SearchSite, zone: str | None) -> Plan:
                return plan(
                    query, where, since=since, until=until, camera=camera, zone=zone,
                    kinds=tuple(kind or ()), known_kinds=known_kinds(), now=time.time(),
                )  # fmt: skip

            make(where, None)  # check the request before indexing: a typo answers at once
            if reindex:
                service.reindex(where.site_id, where.tz)
            else:
                service.catch_up(where.site_id, where.tz)
            scopes = where.scopes | service.scopes(where.site_id)
            p = make(SearchSite(where.site_id, where.tz, where.cameras, scopes), zone)
            result = service.search(p, limit=limit, mode=mode)  # type: ignore[arg-type]
        finally:
            service.close()
    data = result_json(result)
    for note in result.notes:
        err_console.print(f"note: {note}", highlight=False)
    shown = p.shown_range or "any time"
    err_console.print(f"searched {p.what!r} at {p.filters.site_id}, {shown}", highlight=False)
    if json_out:
        json.dump(data["hits"], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    if not result.hits:
        print("no hits")
    for n, h in enumerate(result.hits, 1):
        d = h.doc
        where_txt = " ".join(x for x in (d.camera_id, d.scope_id) if x)
        print(f"{n:>2}. [{d.kind} {where_txt}] {d.text}  ({d.source} {d.source_id})")


@one_line_errors
def summary(
    day: Annotated[str, typer.Option("--date", help="The local day, YYYY-MM-DD.")],
    site: Annotated[
        str | None, typer.Option(help="Site YAML (its time zone) or site id (UTC).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summaries as JSON.")] = False,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """Write (and store, searchable) the day's narrative and its hourly ones: by the site's
    describe provider (a text-only call, budgeted and ledgered) when the site YAML names one,
    else by a template from the numbers."""
    from datetime import date

    from storepixel.config.site import load_site
    from storepixel.search.engine import QueryError
    from storepixel.search.narrate import Narrator
    from storepixel.search.service import SearchService, require_extra
    from storepixel.search.summaries import summarise_day
    from storepixel.store import open_store

    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise QueryError(f"--date must be YYYY-MM-DD, got {day!r}") from None
    require_extra()
    with open_store(db) as store:
        service = SearchService(store)
        try:
            where = resolve_site(site, service)
            config = load_site(site).describe if site and _is_yaml(site) else None
            narrator = Narrator(store, where.site_id, where.tz, config)
            written = summarise_day(store, where.site_id, when, where.tz, narrator)
            docs = [d for d, _ in written]
            service.add_documents(docs, replace=True)
            service.embed_pending()
        finally:
            service.close()
    fallbacks = {said.reason for _, said in written if said.reason}
    for reason in sorted(fallbacks):
        err_console.print(f"note: written by the template: {reason}", highlight=False)
    if json_out:
        rows = [
            {"kind": d.kind, "id": d.source_id, "text": d.text, "written_by": said.by,
             "fallback_reason": said.reason}
            for d, said in written
        ]  # fmt: skip
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    if not docs:
        print(f"nothing was recorded at {where.site_id} on {when.isoformat()}")
    for d in docs:
        print(d.text)
