"""``storepixel sync``: forward an edge store's rows to a central ``storepixel serve``."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from typing import Annotated, Any

import typer

from storepixel.cli.support import one_line_errors
from storepixel.cli.web import DB_HELP
from storepixel.errors import StorepixelError

KEY_ENV = "STOREPIXEL_INGEST_KEY"


class SyncError(StorepixelError):
    """The central server could not be reached or refused a batch."""


def _post(url: str, key: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: dict[str, Any] = json.loads(response.read() or b"{}")
            return answer
    except urllib.error.HTTPError as err:
        try:
            detail = json.loads(err.read() or b"{}").get("detail", "")
        except ValueError:
            detail = ""
        raise SyncError(f"central refused the batch: HTTP {err.code} {detail}".rstrip()) from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise SyncError(f"cannot reach the central server: {reason}") from None


def sync(
    to: Annotated[str, typer.Option("--to", help="URL of the central storepixel serve.")],
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    batch: Annotated[int, typer.Option(help="Rows per request.", min=1, max=5000)] = 1000,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each answer.")] = 30.0,
) -> None:
    """Send the rows this store has not yet had acknowledged to a central server, once.

    Events, minute metrics, hourly sessions and coverage go in batches to
    ``TO/api/sites/SITE/ingest`` with the site-scoped ingest key in $STOREPIXEL_INGEST_KEY.
    A batch counts as sent only once the central answered; run it again to resume.
    """
    from storepixel.redact import redact_url
    from storepixel.store import open_store
    from storepixel.store import sync as edge

    key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        raise SyncError(f"set ${KEY_ENV} to an ingest key of the central server")
    base = to.rstrip("/")
    shown = redact_url(base)
    sent = dict.fromkeys(edge.KINDS, 0)
    new = 0
    with open_store(db, create=False) as store:
        destination = edge.destination_for(shown)
        try:
            for b in edge.batches(store, destination, now=time.time(), size=batch):
                answer = _post(f"{base}/api/sites/{b.site_id}/ingest", key, b.body(), timeout)
                edge.acknowledge(store, b, now=time.time())
                new += int(answer.get("events_new", 0))
                for kind, n in b.counts().items():
                    sent[kind] += n
        except SyncError as err:
            left = edge.pending(store, destination)
            raise SyncError(f"{err}; {left} rows stay queued, run sync again") from None
    parts = ", ".join(f"{n} {kind}" for kind, n in sent.items())
    typer.echo(f"sent {parts} to {shown} ({new} events new there); nothing left to send")


def register(app: typer.Typer) -> None:
    app.command("sync")(one_line_errors(sync))
