"""``storepixel sync``: forward an edge store's rows to a central ``storepixel serve``."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from storepixel.cli.support import one_line_errors
from storepixel.cli.web import DB_HELP

KEY_ENV = "STOREPIXEL_INGEST_KEY"


def sync(
    to: Annotated[str, typer.Option("--to", help="URL of the central storepixel serve.")],
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    batch: Annotated[int, typer.Option(help="Rows per request.", min=1, max=5000)] = 1000,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each answer.")] = 30.0,
) -> None:
    """Send the rows this store has not yet had acknowledged to a central server, once.

    Events, minute metrics, hourly sessions, coverage and descriptions go in batches to
    ``TO/api/sites/SITE/ingest`` with the site-scoped ingest key in $STOREPIXEL_INGEST_KEY,
    then the edge's health. A batch counts as sent only once the central answered; run it
    again to resume. A batch the central refuses (not the key) is set aside with its reason.
    """
    from storepixel.outputs.forward import SyncError, send_pending
    from storepixel.redact import redact_url
    from storepixel.store import open_store

    key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        raise SyncError(f"set ${KEY_ENV} to an ingest key of the central server")
    shown = redact_url(to.rstrip("/"))
    with open_store(db, create=False) as store:
        done = send_pending(store, to, key, batch=batch, timeout=timeout)
    if done.error is not None:
        raise SyncError(f"{done.error}; {done.left} rows stay queued, run sync again")
    for why in done.parked:
        typer.echo(f"refused and set aside: {why}", err=True)
    left = "nothing left to send" if not done.left else f"{done.left} rows left"
    typer.echo(f"{done.summary(shown)}; {left}")
    if done.parked:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("sync")(one_line_errors(sync))
