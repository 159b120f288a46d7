"""Commands of the outward side: ``outputs``, ``alerts``, ``retention``, ``privacy``, ``pos``."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from storepixel.cli.support import err_console, one_line_errors
from storepixel.errors import ConfigError

if TYPE_CHECKING:
    from storepixel.config.site import SiteConfig
    from storepixel.store import Store

SITE = Annotated[Path, typer.Option("--site", help="Site YAML.")]
DB = Annotated[str | None, typer.Option(help="Store URL (default: $STOREPIXEL_DB_URL).")]

outputs_app = typer.Typer(no_args_is_help=True, help="Deliver the outbox (webhooks, MQTT…).")
alerts_app = typer.Typer(no_args_is_help=True, help="List alerts.")
retention_app = typer.Typer(no_args_is_help=True, help="Delete data older than its retention.")
privacy_app = typer.Typer(no_args_is_help=True, help="Data-subject requests (audited).")
pos_app = typer.Typer(no_args_is_help=True, help="Point-of-sale receipts.")


def publish_analysis(store: Store, site: SiteConfig, bus: Any, wait_s: float) -> None:
    """After ``analyze``: say which alerts the file raised, and deliver the outbox before exit
    (waiting up to ``wait_s`` for a receiver that is down)."""
    from storepixel.outputs.service import deliver
    from storepixel.outputs.sink import outward_of

    outward = outward_of(bus)
    if outward is None:
        return
    for change in outward.alert_changes:
        if change.change == "opened":
            err_console.print(f"alert {change.severity}: {change.message}", highlight=False)
    left = deliver(store, site, wait_s)
    if left:
        err_console.print(
            f"warning: {left} message(s) not delivered within {wait_s:g} s; they stay in the "
            "outbox for `storepixel run`, `serve` or `storepixel outputs flush`",
            highlight=False,
        )


def _open(site: Path, db: str | None) -> tuple[SiteConfig, Store]:
    from storepixel.config.site import load_site
    from storepixel.store import open_store

    return load_site(site), open_store(db)


@outputs_app.command("flush")
@one_line_errors
def outputs_flush(
    site: SITE,
    db: DB = None,
    wait: Annotated[float, typer.Option(min=0, help="Give up after this many seconds.")] = 60.0,
    retry_parked: Annotated[
        bool, typer.Option(help="Put parked messages back in the queue first.")
    ] = False,
) -> None:
    """Deliver what is waiting in the outbox; exit 1 if something is still undelivered."""
    import time

    from storepixel.outputs.dispatcher import Dispatcher

    site_config, store = _open(site, db)
    with store:
        if not site_config.outputs:
            raise ConfigError(f"{site}: no outputs configured")
        dispatcher = Dispatcher.for_site(store, site_config)
        if retry_parked:
            for name in dispatcher.names:
                dispatcher.outbox.retry_parked(name, now=time.time())
        try:
            left = dispatcher.drain(wait)
        finally:
            dispatcher.stop()
        for name in dispatcher.names:
            c = dispatcher.outbox.counts(name)
            typer.echo(f"{name}: {c.sent} sent, {c.pending} pending, {c.parked} parked")
            for mid, why in list(c.reasons.items())[:10]:
                typer.echo(f"  parked {mid}: {why}")
    if left:
        err_console.print(f"{left} message(s) still undelivered", highlight=False)
        raise typer.Exit(1)


@alerts_app.command("list")
@one_line_errors
def alerts_list(
    site: SITE,
    db: DB = None,
    status: Annotated[str | None, typer.Option(help="open, acknowledged or resolved.")] = None,
) -> None:
    """Alerts of the site, newest first (JSON lines)."""
    from storepixel.alerts.store import STATUSES, list_alerts

    if status is not None and status not in STATUSES:
        raise ConfigError(f"--status: expected one of {', '.join(STATUSES)}, got {status!r}")
    site_config, store = _open(site, db)
    with store:
        for alert in list_alerts(store, site_config.site.id, status=status):
            typer.echo(json.dumps(alert))


@retention_app.command("run")
@one_line_errors
def retention_run(site: SITE, db: DB = None) -> None:
    """Delete everything older than the site's retention (events, metrics, alerts, audit…)."""
    from storepixel.store.retention import enforce

    site_config, store = _open(site, db)
    with store:
        report = enforce(store, site_config)
    for table, n in report.deleted.items():
        typer.echo(f"{table}: {n} deleted (kept from {report.cutoffs[table]})")


def _subject(track: str | None, visitor: str | None) -> tuple[Any, str]:
    if (track is None) == (visitor is None):
        raise ConfigError("give exactly one of --track ID or --visitor ID")
    return ("track_id", str(track)) if track is not None else ("visitor_id", str(visitor))


TRACK = Annotated[str | None, typer.Option("--track", help="A pseudonymous track id.")]
VISITOR = Annotated[str | None, typer.Option("--visitor", help="A visitor id (opt-in re-id).")]
ACTOR = Annotated[
    str | None, typer.Option("--by", help="Who asks, for the audit log (default: OS user).")
]


@privacy_app.command("export")
@one_line_errors
def privacy_export(
    track: TRACK = None,
    visitor: VISITOR = None,
    db: DB = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="JSON file; '-' = stdout.")] = Path("-"),
    by: ACTOR = None,
) -> None:
    """Everything stored about one track or visitor, as JSON (audited)."""
    from storepixel.store import open_store
    from storepixel.store.privacy import export_subject

    key, value = _subject(track, visitor)
    with open_store(db) as store:
        found = export_subject(store, key, value, actor=by or getpass.getuser())
    text = json.dumps({"subject": {key: value}, "tables": found}, indent=2) + "\n"
    if str(out) == "-":
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        err_console.print(f"{sum(map(len, found.values()))} rows → {out}", highlight=False)


@privacy_app.command("delete")
@one_line_errors
def privacy_delete(
    track: TRACK = None, visitor: VISITOR = None, db: DB = None, by: ACTOR = None
) -> None:
    """Delete everything stored about one track or visitor (audited)."""
    from storepixel.store import open_store
    from storepixel.store.privacy import delete_subject

    key, value = _subject(track, visitor)
    with open_store(db) as store:
        counts = delete_subject(store, key, value, actor=by or getpass.getuser())
    typer.echo(f"deleted {sum(counts.values())} rows about {key} {value}: {counts}")


@pos_app.command("import")
@one_line_errors
def pos_import(
    receipts: Annotated[Path, typer.Argument(help="CSV with time,total,items[,receipt_id].")],
    site: SITE,
    db: DB = None,
) -> None:
    """Import receipts; bad rows are listed by line number, good rows imported once."""
    from storepixel.store.pos import MAX_ERRORS_SHOWN, import_receipts_csv

    site_config, store = _open(site, db)
    try:
        stream = open(receipts, encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as err:
        raise ConfigError(f"cannot read {receipts}: {err.strerror or err}") from None
    with store, stream:
        result = import_receipts_csv(store, site_config, stream)
    for line in result.errors[:MAX_ERRORS_SHOWN]:
        err_console.print(f"{receipts}: {line}", highlight=False)
    if len(result.errors) > MAX_ERRORS_SHOWN:
        err_console.print(f"… and {len(result.errors) - MAX_ERRORS_SHOWN} more bad rows")
    typer.echo(
        f"{result.imported} receipts imported, {result.duplicates} already there, "
        f"{len(result.errors)} bad rows skipped"
    )
    if result.errors:
        raise typer.Exit(1)


@pos_app.command("conversion")
@one_line_errors
def pos_conversion(
    site: SITE,
    db: DB = None,
    frm: Annotated[
        str | None, typer.Option("--from", help="ISO 8601 (site time if no offset); default today.")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="ISO 8601, exclusive.")] = None,
    bucket: Annotated[str, typer.Option(help="hour or day (site time zone).")] = "hour",
    format: Annotated[str, typer.Option("--format", "-f", help="csv or json.")] = "csv",
) -> None:
    """Visitors, transactions, revenue, conversion and basket per hour or day (an export)."""
    import csv

    from storepixel.store.analytics import Scope, footfall_lines
    from storepixel.store.sales import conversion
    from storepixel.timeutil import time_range

    if bucket not in ("hour", "day") or format not in ("csv", "json"):
        raise ConfigError("--bucket is hour or day; --format is csv or json")
    site_config, store = _open(site, db)
    tz = site_config.site.tz
    lo, hi = time_range(frm, to, tz)
    with store:
        scope = Scope(store, site_config.site.id, tz, lo, hi)
        data = conversion(scope, bucket, doors=footfall_lines(site_config))  # type: ignore[arg-type]
    if format == "json":
        typer.echo(json.dumps(data))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(data["total"]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(data["buckets"])


def register(app: typer.Typer) -> None:
    """Add this module's command families to the root ``app``."""
    app.add_typer(outputs_app, name="outputs")
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(retention_app, name="retention")
    app.add_typer(privacy_app, name="privacy")
    app.add_typer(pos_app, name="pos")
