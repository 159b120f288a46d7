"""Commands for the web app: ``serve``, ``users`` and ``keys``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from storepixel.cli.support import err_console, one_line_errors

DB_HELP = "Store URL (default: $STOREPIXEL_DB_URL, else sqlite:///data/storepixel.db)."

users_app = typer.Typer(no_args_is_help=True, help="Dashboard users (admin or viewer).")
keys_app = typer.Typer(no_args_is_help=True, help="API keys: one site each, with scopes.")


@one_line_errors
def serve(
    site: Annotated[
        list[Path], typer.Option("--site", help="Site YAML; give it again for more sites.")
    ],
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
    run: Annotated[
        bool, typer.Option("--run", help="Also run the live cameras in this process.")
    ] = False,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    data_dir: Annotated[
        Path, typer.Option(help="Folder for uploads in progress and the secret key.")
    ] = Path("data"),
    max_upload_mb: Annotated[int, typer.Option(help="Largest video upload, in MiB.", min=1)] = 2048,
    secure_cookies: Annotated[
        bool, typer.Option(help="Mark the session cookie Secure (serve behind HTTPS).")
    ] = False,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Answer only requests for this Host name (repeat; '*.example.com' allowed). "
            "Default: any.",
        ),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Address of a reverse proxy whose X-Forwarded-For/-Proto to believe (repeat). "
            "Default: none, the connection's own address counts.",
        ),
    ] = None,
    media_root: Annotated[
        list[str] | None,
        typer.Option(
            "--media-root",
            help="Folder whose video files API clients may set as camera sources (repeat; "
            "'{site}' stands for the site id). Default: none.",
        ),
    ] = None,
    source_scheme: Annotated[
        list[str] | None,
        typer.Option(
            "--source-scheme",
            help="URL scheme API clients may use for camera sources (repeat). "
            "Default: rtsp, rtsps, http, https.",
        ),
    ] = None,
    allow_local_sources: Annotated[
        bool,
        typer.Option(
            help="Let API clients point cameras at this server, loopback or link-local "
            "addresses and capture devices."
        ),
    ] = False,
    header_timeout_s: Annotated[
        float,
        typer.Option(
            help="Close connections that have not sent their headers in this time.", min=1
        ),
    ] = 10.0,
) -> None:
    """Serve the REST/WebSocket API and the dashboard (OpenAPI at /docs)."""
    import uvicorn

    from storepixel.api.app import create_app
    from storepixel.api.server import server_config
    from storepixel.api.source_policy import SourcePolicy
    from storepixel.config.site import load_site
    from storepixel.store import open_store

    sites = [load_site(p) for p in site]
    store = open_store(db)
    supervisors = {}
    from storepixel.outputs.service import OutwardService

    # Delivery and retention run with or without live cameras (the outbox keeps going).
    outward = {s.site.id: OutwardService(store, s) for s in sites}
    if run:
        from storepixel.pipeline.supervisor import Supervisor

        for s in sites:
            supervisors[s.site.id] = Supervisor(s, store, site_path=s.path)
    app = create_app(
        sites,
        store,
        supervisors=supervisors,
        data_dir=data_dir,
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        secure_cookies=secure_cookies,
        allowed_hosts=allowed_host or (),
        source_policy=SourcePolicy.of(media_root or (), source_scheme or (), allow_local_sources),
    )
    from storepixel.store import accounts

    if not accounts.list_users(store):
        err_console.print(
            "no users yet: create the first admin with `storepixel users create NAME --role admin`",
            highlight=False,
        )
    live = "with live cameras" if run else "store only (add --run for live cameras)"
    err_console.print(
        f"storepixel serving {', '.join(s.site.id for s in sites)} on http://{host}:{port} "
        f"({live}); store {store.url}",
        highlight=False,
    )
    config = server_config(
        app, host, port, trusted_proxies=trusted_proxy or (), header_timeout_s=header_timeout_s
    )
    for service in outward.values():
        service.start()
    try:
        uvicorn.Server(config).run()
    finally:
        for service in outward.values():
            service.stop()
        store.close()


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("create")
@one_line_errors
def users_create(
    name: Annotated[str, typer.Argument(help="Username.")],
    role: Annotated[str, typer.Option(help="admin or viewer.")] = "viewer",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """Create a user (the first admin: `storepixel users create NAME --role admin`)."""
    from storepixel.store import accounts, open_store

    accounts.check_username(name)
    password = _read_password(password_stdin)
    with open_store(db) as store:
        user = accounts.create_user(store, name, password, role)
        accounts.audit(store, "cli", "user.create", f"user:{user.username}", {"role": user.role})
    err_console.print(f"user {user.username} ({user.role}) created", highlight=False)


@users_app.command("list")
@one_line_errors
def users_list(db: Annotated[str | None, typer.Option(help=DB_HELP)] = None) -> None:
    """List users and their roles."""
    from storepixel.store import accounts, open_store

    with open_store(db, create=False) as store:
        for user in accounts.list_users(store):
            typer.echo(f"{user.username}\t{user.role}")


@users_app.command("delete")
@one_line_errors
def users_delete(
    name: Annotated[str, typer.Argument(help="Username.")],
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """Delete a user and end their sessions (never the last admin)."""
    from storepixel.store import accounts, open_store

    with open_store(db, create=False) as store:
        accounts.delete_user(store, name)
        accounts.audit(store, "cli", "user.delete", f"user:{name}")
    err_console.print(f"user {name} deleted", highlight=False)


@keys_app.command("create")
@one_line_errors
def keys_create(
    site: Annotated[
        Path, typer.Option("--site", help="Site YAML (as for serve): the one site the key may use.")
    ],
    scope: Annotated[
        list[str], typer.Option("--scope", help="read, ingest or admin; repeat for more.")
    ],
    name: Annotated[str, typer.Option("--name", help="What the key is for.")] = "api key",
    expires_in: Annotated[
        float | None,
        typer.Option("--expires-in", min=0.0, help="Days until the key stops working."),
    ] = None,
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """Create an API key; the key is printed once, on standard output."""
    import time

    from storepixel.config.site import load_site
    from storepixel.store import accounts, open_store

    site_id = load_site(site).site.id
    expires_at = None if expires_in is None else time.time() + expires_in * 86400
    with open_store(db) as store:
        key, secret = accounts.create_key(store, name, site_id, scope, "cli", expires_at=expires_at)
        accounts.audit(
            store,
            "cli",
            "key.create",
            f"key:{key.id}",
            {"site": site_id, "scopes": list(key.scopes)},
        )
    err_console.print(
        f"key {key.id} for site {site_id} ({', '.join(key.scopes)}); store it now, "
        "it is not shown again:",
    )
    typer.echo(secret)


@keys_app.command("list")
@one_line_errors
def keys_list(db: Annotated[str | None, typer.Option(help=DB_HELP)] = None) -> None:
    """List keys (never their secrets)."""
    import time

    from storepixel.store import accounts, open_store

    with open_store(db, create=False) as store:
        for key in accounts.list_keys(store):
            state = "revoked" if key.revoked_at is not None else "active"
            if key.revoked_at is None and key.expired(time.time()):
                state = "expired"
            typer.echo(f"{key.id}\t{key.site_id}\t{','.join(key.scopes)}\t{state}\t{key.name}")


@keys_app.command("revoke")
@one_line_errors
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="Key id (from `keys list`).")],
    db: Annotated[str | None, typer.Option(help=DB_HELP)] = None,
) -> None:
    """Revoke a key: it stops working at once."""
    from storepixel.store import accounts, open_store

    with open_store(db, create=False) as store:
        accounts.revoke_key(store, key_id)
        accounts.audit(store, "cli", "key.revoke", f"key:{key_id}")
    err_console.print(f"key {key_id} revoked", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root ``app``."""
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
    app.add_typer(keys_app, name="keys")
